# cxx_bytes_literal(FILE OUT_VAR): the bytes of FILE as a C++ string literal, every byte a \x
# escape and 24 bytes a line, so that any text (quotes, backslashes, `)"`, UTF-8) embeds safely
# and the generated file stays readable. Used by the scripts that embed files in graph-runner.
function(cxx_bytes_literal file out_var)
  file(READ ${file} hex HEX)
  string(LENGTH "${hex}" length)
  set(bytes "")
  foreach(start RANGE 0 ${length} 48)
    string(SUBSTRING "${hex}" ${start} 48 chunk)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" chunk "${chunk}")
    string(APPEND bytes "\n    \"${chunk}\"")
  endforeach()
  set(${out_var} "${bytes}" PARENT_SCOPE)
endfunction()
