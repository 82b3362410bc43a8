// cdp_generate — writes the built-in synthetic data set (events, customers, campaigns) to files.
//
//   cdp_generate --customers 10000 --days 120 --seed 7 --format csv --out data/
//
// Formats: csv, ndjson, csv.gz, ndjson.gz. Prints row counts and timings to stderr.
//
// On Linux the tool re-executes itself once with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (unless
// GLIBC_TUNABLES is already set): transparent huge pages for malloc make filling the multi-GB
// columns of large data sets about twice as fast on machines where page faults are expensive.
// The output does not change.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cdp/generate.hpp"

#if defined(__linux__)
#include <unistd.h>
#endif

namespace {

void Usage(FILE* f) {
  std::fprintf(f,
               "usage: cdp_generate [--customers N] [--days D] [--seed S] [--format csv|ndjson|csv.gz|ndjson.gz]\n"
               "                    [--events-scale X] [--junk-id-rate P] [--b2b-share P] [--churn-share P]\n"
               "                    [--start MICROS] [--no-write] --out DIR\n"
               "Writes DIR/events.<format>, DIR/customers.<format>, DIR/campaigns.<format>.\n"
               "Defaults: --customers 10000 --days 120 --seed 7 --format csv.\n");
}

bool ParseInt(const char* s, long long* out) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  *out = v;
  return true;
}
bool ParseDouble(const char* s, double* out) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || *end != '\0') return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__linux__)
  if (std::getenv("GLIBC_TUNABLES") == nullptr) {
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
    unsetenv("GLIBC_TUNABLES");
  }
#endif
  cdp::GenerateOptions o;
  std::string out_dir, format = "csv";
  bool write = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage(stdout);
      return 0;
    }
    if (a == "--no-write") {
      write = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "cdp_generate: %s needs a value\n", a.c_str());
      Usage(stderr);
      return 2;
    }
    const char* v = argv[++i];
    long long n = 0;
    double d = 0;
    bool ok = true;
    if (a == "--customers") ok = ParseInt(v, &n), o.customers = n;
    else if (a == "--days") ok = ParseInt(v, &n) && n >= 0 && n <= 100000, o.days = static_cast<int32_t>(n);
    else if (a == "--seed") ok = ParseInt(v, &n), o.seed = static_cast<uint64_t>(n);
    else if (a == "--start") ok = ParseInt(v, &n), o.start = n;
    else if (a == "--events-scale") ok = ParseDouble(v, &d), o.events_scale = d;
    else if (a == "--junk-id-rate") ok = ParseDouble(v, &d), o.junk_id_rate = d;
    else if (a == "--b2b-share") ok = ParseDouble(v, &d), o.b2b_share = d;
    else if (a == "--churn-share") ok = ParseDouble(v, &d), o.churn_share = d;
    else if (a == "--format") format = v;
    else if (a == "--out") out_dir = v;
    else {
      std::fprintf(stderr, "cdp_generate: unknown argument %s\n", a.c_str());
      Usage(stderr);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "cdp_generate: bad value for %s: '%s'\n", a.c_str(), v);
      return 2;
    }
  }
  if (write && out_dir.empty()) {
    std::fprintf(stderr, "cdp_generate: --out DIR is required (or --no-write)\n");
    Usage(stderr);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  absl::StatusOr<cdp::GeneratedData> data = cdp::Generate(o);
  if (!data.ok()) {
    std::fprintf(stderr, "cdp_generate: %s\n", std::string(data.status().message()).c_str());
    return 1;
  }
  const double gen_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "generated %zu events, %zu customers, %zu campaign rows in %.2f s (%.2f M events/s)\n",
               data->events.rows(), data->customers.rows(), data->campaigns.rows(), gen_s,
               data->events.rows() / gen_s / 1e6);
  if (write) {
    const auto t1 = Clock::now();
    absl::Status s = cdp::WriteGenerated(*data, out_dir, format);
    if (!s.ok()) {
      std::fprintf(stderr, "cdp_generate: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "wrote %s/{events,customers,campaigns}.%s in %.2f s\n", out_dir.c_str(),
                 format.c_str(), std::chrono::duration<double>(Clock::now() - t1).count());
  }
  return 0;
}
