# Writes OUT, a C file with one dialect's migrations (DIR/NNN_name.sql) as
# byte arrays in order, so tallyd carries its schema and finds no file at
# run time. Run at build time (cmake -DDIALECT=sqlite -DDIR=... -DOUT=...
# -P embed_migrations.cmake); fails the build when the numbers are not
# 001, 002, ... without a gap, since a migration's number is the schema
# version it makes.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(arrays "")
set(table "")
set(expected 1)
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  if(NOT name MATCHES "^([0-9][0-9][0-9])_[a-z0-9_]+$")
    message(FATAL_ERROR "${f}: a migration is named NNN_lowercase_words.sql")
  endif()
  math(EXPR number "${CMAKE_MATCH_1}")
  if(NOT number EQUAL expected)
    message(FATAL_ERROR "${f}: expected migration ${expected} next (no gaps, no repeats)")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "static const char m${number}[] = {${bytes}0x00};\n")
  string(APPEND table "\t{\"${name}\", m${number}},\n")
endforeach()
if(expected EQUAL 1)
  message(FATAL_ERROR "${DIR}: no migrations")
endif()
file(WRITE "${OUT}.tmp"
  "/* Generated from ${DIR} by cmake/embed_migrations.cmake; do not edit. */\n"
  "#include \"store/migrations.h\"\n\n${arrays}\n"
  "const tl_migration tl_${DIALECT}_migrations[] = {\n${table}};\n"
  "const int tl_${DIALECT}_migration_count = ${expected} - 1;\n")
# only a changed text rebuilds what includes it
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
