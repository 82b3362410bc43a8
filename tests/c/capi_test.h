/* What the plain C99 tests of the C ABI share: the CHECK macro and its failure count, and cell
 * readers for cdp_table / cdp_segment_result. Each test file is its own executable and includes
 * this once; it needs include/cdp/cdp.h alone. */
#ifndef CDP_TESTS_C_CAPI_TEST_H_
#define CDP_TESTS_C_CAPI_TEST_H_

#include <math.h>
#include <stdio.h>

#include "cdp/cdp.h"

static int failures = 0;
#define CHECK(cond)                                                    \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n",    \
              __FILE__, __LINE__, #cond, cdp_last_error());            \
      ++failures;                                                      \
    }                                                                  \
  } while (0)

#define SEC 1000000LL

/* Exit code of a test program: 0 and "<name> passed" when no CHECK failed. */
static inline int test_result(const char* name) {
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("%s passed\n", name);
  return 0;
}

/* 1 when r's members are exactly the n ids of want (ascending). */
static inline int members_are(const cdp_segment_result* r, const int32_t* want, int64_t n) {
  const int32_t* data = NULL;
  int64_t got = -1, i;
  if (cdp_segment_result_members(r, &data, &got) != CDP_OK || got != n) return 0;
  if (cdp_segment_result_size(r) != n) return 0;
  for (i = 0; i < n; ++i)
    if (data[i] != want[i]) return 0;
  return 1;
}

/* Double cell by column name; NaN when missing. */
static inline double table_double(const cdp_table* t, const char* column, int64_t row) {
  const double* d = NULL;
  if (row < 0 || row >= cdp_table_nrows(t)) return NAN;
  if (cdp_table_column_double(t, cdp_table_column_index(t, column), &d) != CDP_OK) return NAN;
  return d[row];
}

/* Int64 cell by column name; INT64_MIN when missing. */
static inline int64_t table_int64(const cdp_table* t, const char* column, int64_t row) {
  const int64_t* d = NULL;
  if (row < 0 || row >= cdp_table_nrows(t)) return INT64_MIN;
  if (cdp_table_column_int64(t, cdp_table_column_index(t, column), &d) != CDP_OK) return INT64_MIN;
  return d[row];
}

#endif /* CDP_TESTS_C_CAPI_TEST_H_ */
