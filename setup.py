"""Builds cdpcore._core with CMake (shared build tree with `make`), then packages python/cdpcore."""
import os
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        out_dir = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        build_dir = os.environ.get("CDP_CMAKE_BUILD_DIR", os.path.join(HERE, "build", "cmake"))
        os.makedirs(build_dir, exist_ok=True)
        cfg = ["cmake", "-S", HERE, "-B", build_dir, f"-DPython3_EXECUTABLE={sys.executable}",
               "-DCMAKE_BUILD_TYPE=Release"]
        if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
            cfg += ["-G", "Ninja"]
        subprocess.check_call(cfg)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "_core", "-j", str(os.cpu_count() or 2)])
        built = os.path.join(build_dir, self.get_ext_filename(ext.name.split(".")[-1]))
        os.makedirs(out_dir, exist_ok=True)
        self.copy_file(built, os.path.join(out_dir, os.path.basename(built)))


setup(
    name="cdpcore",
    version="0.1.0",
    package_dir={"": "python"},
    packages=["cdpcore"],
    package_data={"cdpcore": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension("cdpcore._core")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
