# Runs after the discovered tests are added (TEST_INCLUDE_FILES).
# The soak: nothing else runs beside it (RUN_SERIAL), so that its figures and its timeout do
# not depend on what else the machine does, and it can be left out with `ctest -LE soak`.
# Measured: about TODO s on Linux and TODO s under Wine (docs/windows.md).
set_tests_properties("soak: no canary crosses between bequest's children and rogue spawners' children, and no handle is left open"
                     PROPERTIES LABELS soak RUN_SERIAL TRUE TIMEOUT 2400)
