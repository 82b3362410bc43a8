// cdpcore._core churn functions (filled in by the churn work).
#include <pybind11/pybind11.h>

void BindChurn(pybind11::module_& m) { (void)m; }
