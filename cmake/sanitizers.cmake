# Sanitizer builds apply to everything in the tree (library, tests, examples) so that no
# uninstrumented code hides a race or a bad access.
if(WEFT_SANITIZE)
  string(REPLACE "," ";" _weft_san "${WEFT_SANITIZE}")
  set(_flags "-fsanitize=${WEFT_SANITIZE}" -fno-omit-frame-pointer -g)
  if("undefined" IN_LIST _weft_san)
    list(APPEND _flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_flags})
  add_link_options("-fsanitize=${WEFT_SANITIZE}")
endif()
