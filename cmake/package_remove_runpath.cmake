# CPack pre-build script (GraphRunnerPackage.cmake): removes the RUNPATH of every ELF file
# staged for the .deb. `cmake --install` keeps $ORIGIN-relative RUNPATHs so that any prefix
# works; a Debian package installs its library where ld.so looks anyway, and Debian policy
# (10.2, lintian's custom-library-search-path) wants no RUNPATH.
file(GLOB_RECURSE staged LIST_DIRECTORIES false
  ${CPACK_TEMPORARY_DIRECTORY}/usr/bin/*
  ${CPACK_TEMPORARY_DIRECTORY}/usr/${CPACK_GRAPH_RUNNER_LIBDIR}/*.so*)
set(changed 0)
foreach(file IN LISTS staged)
  if(IS_SYMLINK ${file})
    continue()
  endif()
  file(READ ${file} magic LIMIT 4 HEX)
  if(magic STREQUAL "7f454c46")  # "\x7fELF"
    file(RPATH_REMOVE FILE ${file})
    math(EXPR changed "${changed} + 1")
  endif()
endforeach()
if(changed EQUAL 0)
  message(FATAL_ERROR "package_remove_runpath: no ELF file staged in ${CPACK_TEMPORARY_DIRECTORY}")
endif()
