# Every graph a page shows is a graph graph-runner accepts: each ```toml block with a node
# table ([sources. / [stages. / [sinks.) is written to the working folder and validated.
#
#   cmake -DGRAPH_RUNNER=exe "-DDOCS=a.md;b.md" [-DPLUGIN_PATH=dir] -P doc_graphs.cmake
cmake_minimum_required(VERSION 3.25)

set(failures)
set(checked 0)
foreach(doc IN LISTS DOCS)
  get_filename_component(stem ${doc} NAME_WE)
  file(READ ${doc} rest)
  set(offset 0)  # characters of the page before `rest`
  while(TRUE)
    string(FIND "${rest}" "```toml\n" open)
    if(open EQUAL -1)
      break()
    endif()
    # The line of the opening fence, for the message.
    math(EXPR upto "${offset} + ${open}")
    file(READ ${doc} head LIMIT ${upto})
    string(REGEX MATCHALL "\n" newlines "${head}")
    list(LENGTH newlines line)
    math(EXPR line "${line} + 1")

    math(EXPR start "${open} + 8")
    string(SUBSTRING "${rest}" ${start} -1 rest)
    math(EXPR offset "${offset} + ${start}")
    string(FIND "${rest}" "\n```" close)
    string(SUBSTRING "${rest}" 0 ${close} block)

    if(block MATCHES "(^|\n)\\[(sources|stages|sinks)\\.")
      set(file ${CMAKE_CURRENT_BINARY_DIR}/${stem}-line${line}.toml)
      file(WRITE ${file} "${block}\n")
      set(args validate ${file})
      if(PLUGIN_PATH)
        list(APPEND args --plugin-path ${PLUGIN_PATH})
      endif()
      execute_process(COMMAND ${GRAPH_RUNNER} ${args} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
      math(EXPR checked "${checked} + 1")
      if(NOT rc EQUAL 0)
        list(APPEND failures "${doc}:${line}: this graph does not validate:\n${err}")
      endif()
    endif()
  endwhile()
endforeach()

if(failures)
  string(REPLACE ";" "\n" failures "${failures}")
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "${checked} graphs validated")
