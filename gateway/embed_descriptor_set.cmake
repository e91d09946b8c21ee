# cmake -DINPUT=<descriptor set> -DOUTPUT=<.cc> -P embed_descriptor_set.cmake
# Writes a C++ file defining fangxian::gateway::ApiDescriptorSet() (gateway/api_descriptors.h)
# over the bytes of INPUT, so gateway_server carries the proto comments without a data file.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){16})" "\\1\n" bytes "${bytes}")
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by gateway/embed_descriptor_set.cmake. Do not edit.\n"
  "#include \"gateway/api_descriptors.h\"\n\n"
  "namespace fangxian::gateway {\nnamespace {\nconstexpr char kBytes[] = {\n${bytes}\n};\n}  // namespace\n\n"
  "absl::string_view ApiDescriptorSet() { return absl::string_view(kBytes, ${size}); }\n\n"
  "}  // namespace fangxian::gateway\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
