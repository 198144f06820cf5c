# Checks that every relative link in README.md, CHANGELOG.md and docs/*.md points to a file
# or directory that exists.
#   cmake -DSOURCE_DIR=<bequest> -P doc_links.cmake

# Documents that other work in progress adds (start-up data, Asio). Until they exist a link
# to them is reported, not failed; once they exist they are checked like any other.
cmake_minimum_required(VERSION 3.21)

set(pending docs/startup-data.md docs/asio.md)

file(GLOB documents RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/README.md" "${SOURCE_DIR}/CHANGELOG.md" "${SOURCE_DIR}/docs/*.md")
set(broken "")
set(count 0)
foreach(doc IN LISTS documents)
  file(READ "${SOURCE_DIR}/${doc}" text)
  get_filename_component(dir "${doc}" DIRECTORY)
  # Brackets and semicolons would confuse CMake's lists: take them out first.
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "[" "<" text "${text}")
  string(REPLACE "]" ">" text "${text}")
  string(REGEX MATCHALL ">\\([^)# ]+[)#]" links "${text}")
  foreach(link IN LISTS links)
    string(REGEX REPLACE "^>\\(([^)# ]+)[)#]$" "\\1" target "${link}")
    if(target MATCHES "^[a-z]+:")
      continue()  # http:, https:, mailto:
    endif()
    if(dir)
      set(path "${dir}/${target}")
    else()
      set(path "${target}")
    endif()
    get_filename_component(path "${path}" ABSOLUTE BASE_DIR "${SOURCE_DIR}")
    file(RELATIVE_PATH rel "${SOURCE_DIR}" "${path}")
    math(EXPR count "${count} + 1")
    if(NOT EXISTS "${path}")
      if(rel IN_LIST pending)
        message(STATUS "doc links: ${doc} links to ${rel}, which is still to come")
      else()
        list(APPEND broken "${doc}: ${target}")
      endif()
    endif()
  endforeach()
endforeach()
if(broken)
  list(JOIN broken "\n  " broken)
  message(FATAL_ERROR "broken links:\n  ${broken}")
endif()
message(STATUS "doc links: ${count} relative links, all resolve")
