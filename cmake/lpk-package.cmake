# SPDX-License-Identifier: Apache-2.0
#
# Install rules and what other projects use to find lpk:
#   lpk::lpk / lpk::lpk_static   aliases, for add_subdirectory(lpk)
#   lpk.pc                       pkg-config, in ${libdir}/pkgconfig
#   lpkConfig.cmake & co.        find_package(lpk CONFIG), in ${libdir}/cmake/lpk
#
# What linking liblpk.a needs is derived from this configure run (the list
# LPK_DEP_LIBS that lpk itself links, and the find modules' results), never
# from a fixed list: a build without hwloc does not ask its consumers for it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(lpk::lpk ALIAS lpk)
add_library(lpk::lpk_static ALIAS lpk_static)

# ---- the static library's link needs ------------------------------------
#   LPK_PC_LIBS_PRIVATE   flags for lpk.pc's Libs.private
#   LPK_CFG_OPENMP        1: the CMake package finds OpenMP (find_dependency)
#   LPK_CFG_FIND_LIBS     library names the package looks up (find_library)
#   LPK_CFG_FIND_HINTS    directories they were found in here, as hints
#   LPK_CFG_PLAIN_LIBS    names linked as they are (m, stdc++)
set(LPK_PC_LIBS_PRIVATE "")
set(LPK_CFG_OPENMP 0)
set(LPK_CFG_FIND_LIBS "")
set(LPK_CFG_FIND_HINTS "")
set(LPK_CFG_PLAIN_LIBS "")
set(_lpk_implicit_dirs ${CMAKE_C_IMPLICIT_LINK_DIRECTORIES} ${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES})

function(_lpk_lib_dir dir)
  if(dir AND NOT dir IN_LIST _lpk_implicit_dirs)
    set(LPK_PC_LIBS_PRIVATE ${LPK_PC_LIBS_PRIVATE} -L${dir} PARENT_SCOPE)
  endif()
  if(dir)
    set(LPK_CFG_FIND_HINTS ${LPK_CFG_FIND_HINTS} ${dir} PARENT_SCOPE)
  endif()
endfunction()

foreach(dep IN LISTS LPK_DEP_LIBS ITEMS Threads::Threads m)
  if(dep MATCHES "^OpenMP::OpenMP_(C|CXX)$")
    set(LPK_CFG_OPENMP 1)
    foreach(n IN LISTS OpenMP_${CMAKE_MATCH_1}_LIB_NAMES)
      if(OpenMP_${n}_LIBRARY) # LLVM's libomp lives outside the default link path
        get_filename_component(d "${OpenMP_${n}_LIBRARY}" DIRECTORY)
        _lpk_lib_dir("${d}")
      endif()
      list(APPEND LPK_PC_LIBS_PRIVATE -l${n})
    endforeach()
  elseif(dep STREQUAL "Threads::Threads")
    list(APPEND LPK_PC_LIBS_PRIVATE ${CMAKE_THREAD_LIBS_INIT})  # empty when libc has pthreads
  elseif(dep MATCHES "^PkgConfig::(.+)$")
    # Found by pkg_check_modules(<prefix> ...): its -L dirs and -l names.  The
    # module is not put in Requires.private: `pkg-config --static` would then
    # pull in that module's own static closure (hwloc's -ludev, which Debian
    # ships for shared linking only), while liblpk.a needs only the library.
    set(p ${CMAKE_MATCH_1})
    foreach(d IN LISTS ${p}_LIBRARY_DIRS)
      _lpk_lib_dir("${d}")
    endforeach()
    foreach(n IN LISTS ${p}_LIBRARIES)
      list(APPEND LPK_PC_LIBS_PRIVATE -l${n})
      list(APPEND LPK_CFG_FIND_LIBS ${n})
    endforeach()
  elseif(IS_ABSOLUTE "${dep}")
    # A library found by find_library (SLEEF): /dir/libNAME.so -> -LDIR -lNAME
    get_filename_component(d "${dep}" DIRECTORY)
    get_filename_component(n "${dep}" NAME)
    string(REGEX REPLACE "^lib" "" n "${n}")
    string(REGEX REPLACE "\\.(so|a|dylib)(\\..*)?$" "" n "${n}")
    _lpk_lib_dir("${d}")
    list(APPEND LPK_PC_LIBS_PRIVATE -l${n})
    list(APPEND LPK_CFG_FIND_LIBS ${n})
  elseif(TARGET "${dep}")
    message(WARNING "lpk: lpk.pc and the CMake package do not know how to export "
      "the dependency ${dep}; teach cmake/lpk-package.cmake")
  else()
    list(APPEND LPK_PC_LIBS_PRIVATE -l${dep})
    list(APPEND LPK_CFG_PLAIN_LIBS ${dep})
  endif()
endforeach()

# C++ sources in the library (the Highway bridge): a C program linking
# liblpk.a needs the C++ runtime, i.e. what the C++ compiler links beyond
# what the C compiler does (libstdc++ with GCC).
set(_lpk_has_cxx 0)
foreach(src IN LISTS LPK_SRC)
  if(src MATCHES "\\.(cc|cpp|cxx)$")
    set(_lpk_has_cxx 1)
  endif()
endforeach()
if(_lpk_has_cxx)
  foreach(n IN LISTS CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
    if(NOT n IN_LIST CMAKE_C_IMPLICIT_LINK_LIBRARIES AND NOT n IN_LIST LPK_CFG_PLAIN_LIBS)
      list(APPEND LPK_PC_LIBS_PRIVATE -l${n})
      list(APPEND LPK_CFG_PLAIN_LIBS ${n})
    endif()
  endforeach()
endif()
list(REMOVE_DUPLICATES LPK_PC_LIBS_PRIVATE)
list(REMOVE_DUPLICATES LPK_CFG_FIND_HINTS)
list(JOIN LPK_PC_LIBS_PRIVATE " " LPK_PC_LIBS_PRIVATE_STR)
message(STATUS "lpk: static linking needs: ${LPK_PC_LIBS_PRIVATE_STR}")

# ---- lpk.pc: relocatable (prefix found from the .pc file's own place) ----
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(LPK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(LPK_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _rel "/lpk-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/lpk-prefix")
  string(REGEX REPLACE "/$" "" _rel "${_rel}")
  set(LPK_PC_PREFIX "\${pcfiledir}/${_rel}")
  set(LPK_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(LPK_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(LPK_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/lpk.pc.in ${PROJECT_BINARY_DIR}/lpk.pc @ONLY)

# ---- CMake package --------------------------------------------------------
set(LPK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lpk)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/lpkConfig.cmake.in
  ${PROJECT_BINARY_DIR}/lpkConfig.cmake INSTALL_DESTINATION ${LPK_CMAKE_DIR})
# SOVERSION is the major version: any 0.x.y library serves a 0.x request.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lpkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)

# ---- install --------------------------------------------------------------
install(TARGETS lpk lpk_static EXPORT lpkTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/lpk.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT lpkTargets NAMESPACE lpk:: DESTINATION ${LPK_CMAKE_DIR})
install(FILES ${PROJECT_BINARY_DIR}/lpkConfig.cmake ${PROJECT_BINARY_DIR}/lpkConfigVersion.cmake
  DESTINATION ${LPK_CMAKE_DIR})
install(FILES ${PROJECT_BINARY_DIR}/lpk.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
