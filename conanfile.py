# Conan 2 recipe for bequest, built from this checkout:
#   conan create . --build=missing
#   conan create . -o "bequest/*:shared=True" -o "bequest/*:with_asio=True" --build=missing
import os
import re

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0"


class BequestConan(ConanFile):
    name = "bequest"
    description = "Child processes that inherit exactly the handles you list, even while other code spawns processes"
    license = "BSL-1.0"
    topics = ("process", "spawn", "handle-inheritance", "subprocess")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False], "with_asio": [True, False]}
    default_options = {"shared": False, "fPIC": True, "with_asio": False}
    exports_sources = "CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*"

    def set_version(self):
        # The one place the version is written.
        text = load(self, os.path.join(self.recipe_folder, "include", "bequest", "version.hpp"))
        parts = [re.search(rf"#define BEQUEST_VERSION_{p} (\d+)", text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # <bequest/format.hpp> includes fmt's headers: a public dependency.
        self.requires("fmt/[>=9 <12]", transitive_headers=True)
        if self.options.with_asio:
            # <bequest/asio.hpp> is header-only; consumers compile Asio themselves.
            self.requires("asio/[>=1.22 <2]", transitive_headers=True)

    def validate(self):
        check_min_cppstd(self, 17)

    def generate(self):
        tc = CMakeToolchain(self)
        # The same options as bequest's consumer test (tests/consumer/run.cmake); the
        # toolchain sets BUILD_SHARED_LIBS and CMAKE_POSITION_INDEPENDENT_CODE from the options.
        tc.cache_variables["BEQUEST_BUILD_TESTS"] = False
        tc.cache_variables["BEQUEST_BUILD_EXAMPLES"] = False
        tc.cache_variables["BEQUEST_BUILD_BENCH"] = False
        tc.cache_variables["BEQUEST_INSTALL"] = True
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Conan generates its own CMake and pkg-config files from package_info().
        for sub in (("lib", "cmake"), ("lib", "pkgconfig"), ("share",)):
            path = os.path.join(self.package_folder, *sub)
            if os.path.isdir(path):
                rmdir(self, path)

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "bequest")
        self.cpp_info.set_property("cmake_target_name", "bequest::bequest")
        self.cpp_info.set_property("pkg_config_name", "bequest")
        self.cpp_info.libs = ["bequest"]
        self.cpp_info.requires = ["fmt::fmt"]
        if self.options.shared:
            self.cpp_info.defines = ["BEQUEST_SHARED"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
        elif self.settings.os == "Windows":
            self.cpp_info.system_libs = ["ntdll"]
        if self.options.with_asio:
            # bequest's own CMake package has bequest::asio = bequest::bequest + Asio; here
            # bequest::bequest carries Asio itself and bequest::asio names the same target.
            self.cpp_info.requires.append("asio::asio")
            self.cpp_info.set_property("cmake_target_aliases", ["bequest::asio"])
