# Runs after the discovered tests are added (TEST_INCLUDE_FILES), to lengthen one timeout.
set_tests_properties("no canary crosses between bequest's children and rogue spawners' children" PROPERTIES TIMEOUT 900)
