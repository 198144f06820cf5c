import os
import tempfile

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain


class BequestTestPackage(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        # `conan create` must leave the checkout as it was: build in a temporary folder
        # (absolute folders are taken as they are), never in test_package/build.
        base = tempfile.mkdtemp(prefix="bequest-test_package-")
        self.folders.build = base
        self.folders.generators = os.path.join(base, "generators")

    def generate(self):
        bequest = self.dependencies[self.tested_reference_str.split("/")[0]]
        tc = CMakeToolchain(self)
        # No CMakeUserPresets.json beside test_package/CMakeLists.txt.
        tc.user_presets_path = False
        tc.cache_variables["BEQUEST_TEST_ASIO"] = bool(bequest.options.with_asio)
        tc.cache_variables["BEQUEST_TEST_SHARED"] = bool(bequest.options.shared)
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            # Single-configuration generators put it in the build folder, multi-configuration
            # ones (Visual Studio) in a folder named after the build type.
            program = os.path.join(self.build_folder, "test_package")
            per_config = os.path.join(self.build_folder, str(self.settings.build_type), "test_package")
            if os.path.exists(per_config + ".exe") or os.path.exists(per_config):
                program = per_config
            self.run(f'"{program}"', env="conanrun")
