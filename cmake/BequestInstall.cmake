# Install rules: headers, the library, the CMake package (bequestConfig.cmake,
# bequestConfigVersion.cmake, bequestTargets*.cmake, Findasio.cmake) and bequest.pc, in
# GNUInstallDirs' places. Both the CMake package and bequest.pc are relocatable: a prefix
# can be moved or copied elsewhere (vcpkg and Conan both do so).

include(CMakePackageConfigHelpers)

set(BEQUEST_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/bequest"
    CACHE STRING "Where bequestConfig.cmake is installed, relative to the prefix")
set(BEQUEST_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where bequest.pc is installed, relative to the prefix")
mark_as_advanced(BEQUEST_INSTALL_CMAKEDIR BEQUEST_INSTALL_PKGCONFIGDIR)

# Every header of include/bequest, whichever of them this version has.
install(DIRECTORY include/bequest
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        COMPONENT bequest_development
        FILES_MATCHING PATTERN "*.hpp")

set(_bequest_installed_targets bequest)
if(BEQUEST_ASIO_ENABLED)
  list(APPEND _bequest_installed_targets bequest_asio)
endif()
install(TARGETS ${_bequest_installed_targets}
        EXPORT bequestTargets
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT bequest_runtime
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT bequest_runtime
                NAMELINK_COMPONENT bequest_development
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT bequest_development
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT bequestTargets
        NAMESPACE bequest::
        DESTINATION "${BEQUEST_INSTALL_CMAKEDIR}"
        COMPONENT bequest_development)

# Whether the package offers the asio component (bequestConfig.cmake.in).
if(BEQUEST_ASIO_ENABLED)
  set(BEQUEST_PACKAGE_HAS_ASIO TRUE)
else()
  set(BEQUEST_PACKAGE_HAS_ASIO FALSE)
endif()
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/bequestConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/bequestConfig.cmake"
  INSTALL_DESTINATION "${BEQUEST_INSTALL_CMAKEDIR}")
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_bequest_compat SameMinorVersion)
else()
  set(_bequest_compat SameMajorVersion)
endif()
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/bequestConfigVersion.cmake"
  COMPATIBILITY ${_bequest_compat})
install(FILES
          "${CMAKE_CURRENT_BINARY_DIR}/bequestConfig.cmake"
          "${CMAKE_CURRENT_BINARY_DIR}/bequestConfigVersion.cmake"
          "${CMAKE_CURRENT_LIST_DIR}/Findasio.cmake"
        DESTINATION "${BEQUEST_INSTALL_CMAKEDIR}"
        COMPONENT bequest_development)

# bequest.pc. The prefix is found from the file's own place (${pcfiledir}), so a moved
# prefix still works.
file(RELATIVE_PATH _bequest_pc_to_prefix
     "/prefix/${BEQUEST_INSTALL_PKGCONFIGDIR}" "/prefix")
string(REGEX REPLACE "/$" "" _bequest_pc_to_prefix "${_bequest_pc_to_prefix}")
set(BEQUEST_PC_PREFIX "\${pcfiledir}/${_bequest_pc_to_prefix}")
foreach(_dir INCLUDEDIR LIBDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(BEQUEST_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(BEQUEST_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
if(BUILD_SHARED_LIBS)
  set(BEQUEST_PC_CFLAGS " -DBEQUEST_SHARED")
  set(BEQUEST_PC_LIBS_PRIVATE "")
elseif(WIN32)
  set(BEQUEST_PC_CFLAGS "")
  set(BEQUEST_PC_LIBS_PRIVATE "-lntdll")
else()
  set(BEQUEST_PC_CFLAGS "")
  set(BEQUEST_PC_LIBS_PRIVATE "-pthread")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/bequest.pc.in" "${CMAKE_CURRENT_BINARY_DIR}/bequest.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/bequest.pc"
        DESTINATION "${BEQUEST_INSTALL_PKGCONFIGDIR}"
        COMPONENT bequest_development)

install(FILES LICENSE DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/bequest" COMPONENT bequest_development)
