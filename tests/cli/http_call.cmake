# The http_call stage against a recording server on loopback (http_call_test.py starts it on a
# free port, its answers computed from each request): enrich by position and by key, filter,
# per record, retries with Retry-After, 4xx under on_error, unusable answers, timeouts,
# concurrency, nested answers as dotted fields. Included by CMakeLists.txt (uses gr).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(case enrich_position enrich_key filter per_record transient route_400 mismatch timeout concurrency bad_params nested)
  add_test(NAME cli.http_call.${case}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/http_call_test.py ${gr}
      ${CMAKE_CURRENT_BINARY_DIR}/work/http_call.${case} ${case})
  set_tests_properties(cli.http_call.${case} PROPERTIES TIMEOUT 120)
endforeach()
