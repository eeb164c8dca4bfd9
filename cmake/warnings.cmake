# Warning flags shared by every cancelflow target, and helpers that create
# libraries, unit tests and fuzz targets with them.
add_library(cancelflow_warnings INTERFACE)
target_compile_options(cancelflow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  # g++ 12 reports bogus -Wrestrict inside std::string at -O3 (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${CANCELFLOW_WERROR}>:-Werror>)

# cancelflow_library(NAME SOURCES... DEPS ...): one static library per module.
function(cancelflow_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(cancelflow::${name} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE cancelflow_warnings)
endfunction()

# cancelflow_unit_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest.
function(cancelflow_unit_test name)
  if(NOT CANCELFLOW_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main cancelflow_warnings)
  target_compile_definitions(${name} PRIVATE CANCELFLOW_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
endfunction()
