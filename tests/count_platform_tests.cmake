# Prints how many tests each platform leaves out by tag, and fails if more than 10% of the
# suite is platform-only.
function(count spec out)
  execute_process(COMMAND ${EMULATOR} ${TESTS} --list-test-names-only ${spec}
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_QUIET)
  string(REGEX MATCHALL "[^\n]+" lines "${text}")
  list(LENGTH lines n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()
count("" all)
count("[posix-only]" posix)
count("[windows-only]" windows)
math(EXPR only "${posix} + ${windows}")
message(STATUS "tests: ${all}; posix-only (left out on Windows): ${posix}; windows-only (left out on POSIX): ${windows}")
math(EXPR limit "${all} / 10")
if(only GREATER limit)
  message(FATAL_ERROR "${only} of ${all} tests are platform-only: more than 10%")
endif()
