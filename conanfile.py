# Conan 2 recipe for bequest, built from this checkout:
#   conan create . --build=missing
#   conan create . -o "bequest/*:shared=True" -o "bequest/*:with_asio=True" --build=missing
# The library needs no other package: fmt is not a dependency (<bequest/format.hpp> is
# opt-in, and its users require fmt themselves); Asio only with with_asio, for
# <bequest/asio.hpp> (bequest::asio). test_package/ builds in a temporary folder and writes
# no CMakeUserPresets.json, so `conan create` leaves the checkout as it was.
import os
import re
import textwrap

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load, rmdir, save

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
        # Nothing for the library itself. fmt is no requirement at all: bequest builds its
        # messages itself, and <bequest/format.hpp> (opt-in) works with the user's fmt of
        # any version from 9 on (fmt 12 included).
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
        tc.cache_variables["BEQUEST_WITH_ASIO"] = bool(self.options.with_asio)
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
        # A module that Conan's generated bequest-config.cmake includes (cmake_build_modules):
        # find_package(bequest COMPONENTS asio) from a package without with_asio fails with a
        # message that names the option, instead of a bare "target not found" later.
        save(self, os.path.join(self.package_folder, self._components_module), textwrap.dedent(f"""\
            # Written by bequest's Conan recipe: the components this package has.
            set(_bequest_has_asio {"TRUE" if self.options.with_asio else "FALSE"})
            if("asio" IN_LIST bequest_FIND_COMPONENTS AND NOT _bequest_has_asio)
              message(FATAL_ERROR "bequest: the asio component (bequest::asio) was asked for, but this package "
                                  "was built with with_asio=False: use -o \\"bequest/*:with_asio=True\\"")
            endif()
            unset(_bequest_has_asio)
            """))

    @property
    def _components_module(self):
        return os.path.join("lib", "cmake", "bequest-conan", "bequest-components.cmake")

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "bequest")
        self.cpp_info.set_property("cmake_target_name", "bequest::bequest")
        self.cpp_info.set_property("pkg_config_name", "bequest")
        # Included by the generated bequest-config.cmake: refuses the asio component when
        # this package has none (see package()).
        self.cpp_info.set_property("cmake_build_modules", [self._components_module])
        self.cpp_info.libs = ["bequest"]
        if self.options.shared:
            self.cpp_info.defines = ["BEQUEST_SHARED"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
        elif self.settings.os == "Windows":
            self.cpp_info.system_libs = ["ntdll", "bcrypt"]
        if self.options.with_asio:
            # bequest's own CMake package has bequest::asio = bequest::bequest + Asio; here
            # bequest::bequest carries Asio itself and bequest::asio names the same target.
            self.cpp_info.requires = ["asio::asio"]
            self.cpp_info.set_property("cmake_target_aliases", ["bequest::asio"])
