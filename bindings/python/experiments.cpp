// cdpcore._core experiments functions (filled in by the experiments work).
#include <pybind11/pybind11.h>

void BindExperiments(pybind11::module_& m) { (void)m; }
