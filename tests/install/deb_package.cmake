# install.deb: the .deb of `make package`, built by CPack from the current build, checked
# (control fields, Debian layout, no RUNPATH), extracted into a scratch root (`dpkg-deb -x`)
# and run from there with the root's library path. It is the fixture `graph_runner_deb` of
# install.deb_sdk_consumer, which builds tests/sdk_consumer against that root (issue 19).
#
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DCPACK=... -DLIBDIR=lib/<arch>
#         -DPLUGIN_SUBDIR=lib/<arch>/graph-runner/plugins -DSDK_MAJOR=N -P deb_package.cmake
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

set(root ${WORK_DIR}/root)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# 1. The package, as `make package` makes it (cpack -B: its files stay in WORK_DIR).
run(cpack ${CPACK} --config ${BUILD_DIR}/CPackConfig.cmake -G DEB -B ${WORK_DIR}/cpack)
file(GLOB debs ${WORK_DIR}/cpack/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${WORK_DIR}/cpack, got ${count}: ${debs}\n${cpack_out}${cpack_err}")
endif()
set(deb ${debs})
cmake_path(GET deb FILENAME deb_name)
run(arch dpkg --print-architecture)
string(STRIP "${arch_out}" arch)
expect_match("file name" "${deb_name}" "^graph-runner_[0-9]+\\.[0-9]+\\.[0-9]+_${arch}\\.deb$")

# 2. Control fields. Depends comes from dpkg-shlibdeps: the runtime packages of what the
#    binaries link, never the package itself (its own library is inside).
run(fields dpkg-deb --field ${deb} Package Architecture Depends Recommends Section Maintainer)
expect_match("control fields" "${fields_out}" "(^|\n)Package: graph-runner\n")
expect_match("control fields" "${fields_out}" "\nArchitecture: ${arch}\n")
expect_match("control fields" "${fields_out}" "\nSection: utils\n")
foreach(dependency libc6 libstdc\\+\\+6 "libtbb[0-9]+" "libtomlplusplus[0-9]+" "libre2-[0-9]+")
  expect_match("Depends (expected ${dependency})" "${fields_out}" "\nDepends: ([^\n]*, )?${dependency}( \\([^)]+\\))?(,|\n)")
endforeach()
if(fields_out MATCHES "\nDepends: [^\n]*graph-runner")
  message(FATAL_ERROR "the package depends on itself:\n${fields_out}")
endif()
expect_match("Recommends" "${fields_out}" "\nRecommends: [^\n]*libboost-dev")
file(MAKE_DIRECTORY ${WORK_DIR}/control)
run(control dpkg-deb --control ${deb} ${WORK_DIR}/control)
file(READ ${WORK_DIR}/control/shlibs shlibs)
# The soname's version is the SDK major (libgraph_runner.so.N), and so is shlibs' version.
expect_match("DEBIAN/shlibs" "${shlibs}" "^libgraph_runner ${SDK_MAJOR} graph-runner \\(>= [0-9.]+\\)\n$")
file(READ ${WORK_DIR}/control/triggers triggers)  # ldconfig runs after an install
expect_match("DEBIAN/triggers" "${triggers}" "^activate-noawait ldconfig\n$")

# 3. Debian's layout: everything under /usr, owned by root, and each part where it belongs.
run(contents dpkg-deb --contents ${deb})
string(REPLACE "\n" ";" entries "${contents_out}")
list(FILTER entries INCLUDE REGEX ".")
foreach(entry IN LISTS entries)
  if(NOT entry MATCHES "^(-rw-r--r--|-rwxr-xr-x|drwxr-xr-x|lrwxrwxrwx) root/root .* \\./(usr/.*)?$")
    message(FATAL_ERROR "expected root/root entries under ./usr, mode 644 or 755, got:\n  ${entry}")
  endif()
endforeach()
foreach(path
    usr/bin/graph-runner
    usr/${LIBDIR}/libgraph_runner.so.${SDK_MAJOR}
    usr/${LIBDIR}/libgraph_runner.so
    usr/${PLUGIN_SUBDIR}/libgr_generate.so
    usr/${PLUGIN_SUBDIR}/libgr_count.so
    usr/include/graph_runner/sdk.hpp
    usr/${LIBDIR}/cmake/GraphRunner/GraphRunnerConfig.cmake
    usr/${LIBDIR}/cmake/GraphRunner/GraphRunnerTargets.cmake
    usr/share/bash-completion/completions/graph-runner
    usr/share/man/man1/graph-runner.1.gz
    usr/share/doc/graph-runner/copyright
    usr/share/doc/graph-runner/README.md
    usr/share/doc/graph-runner/docs/cli.md
    usr/share/doc/graph-runner/examples/quickstart.toml
    usr/share/doc/graph-runner/examples/data/users.csv)
  string(REPLACE "+" "\\+" path_re "${path}")
  expect_match("package contents (expected ./${path})" "${contents_out}" " \\./${path}( -> [^\n]*)?\n")
endforeach()

# 4. Extracted into a scratch root: no RUNPATH (Debian policy), so the root's library
#    folder is the library path, as /usr/lib/<arch> is ld.so's after `dpkg -i`.
run(extract dpkg-deb --extract ${deb} ${root})
foreach(elf usr/bin/graph-runner usr/${PLUGIN_SUBDIR}/libgr_count.so)
  file(READ_ELF ${root}/${elf} RUNPATH runpath RPATH rpath)
  if(runpath OR rpath)
    message(FATAL_ERROR "${elf}: expected no RUNPATH or RPATH in the package, got '${runpath}${rpath}'")
  endif()
endforeach()
set(LIBRARY_PATH ${root}/usr/${LIBDIR})
set(gr ${root}/usr/bin/graph-runner)

# 5. It finds its built-in plugins beside itself in the root, and runs a graph with them.
run(plugins ${gr} plugins)
string(FIND "${plugins_out}" "${root}/usr/${PLUGIN_SUBDIR}" at)
if(NOT plugins_out MATCHES "(^|\n)generate +source" OR at EQUAL -1)
  message(FATAL_ERROR "expected the built-ins of ${root}/usr/${PLUGIN_SUBDIR}, got:\n${plugins_out}${plugins_err}")
endif()
set(examples ${root}/usr/share/doc/graph-runner/examples)
run(quickstart ${gr} run ${examples}/quickstart.toml --quiet)
expect_match("the packaged quickstart.toml run by the packaged graph-runner" "${quickstart_out}"
  "(^|\n)total: 90995 records, checksum [0-9a-f]+\n")
# An example with data files beside it, read through ${GRAPH_DIR}; it writes into WORK_DIR.
run(csv_to_jsonl ${gr} run ${examples}/csv-to-jsonl.toml --quiet)
if(NOT EXISTS ${WORK_DIR}/out/users.jsonl)
  message(FATAL_ERROR "the packaged csv-to-jsonl.toml wrote no ${WORK_DIR}/out/users.jsonl:\n${csv_to_jsonl_out}${csv_to_jsonl_err}")
endif()

# 6. The generated files are the ones of this graph-runner.
run(man_page gzip -dc ${root}/usr/share/man/man1/graph-runner.1.gz)
expect_match("man page" "${man_page_out}" "\n\\.TH GRAPH-RUNNER 1 [^\n]*graph-runner [0-9.]+")
expect_match("man page" "${man_page_out}" "\n\\.SS \"graph-runner run\"\n")
file(READ ${root}/usr/share/bash-completion/completions/graph-runner completion)
expect_match("bash completion" "${completion}" "\ncomplete -F _graph_runner graph-runner\n")
message(STATUS "${deb_name}: ok (extracted into ${root})")
