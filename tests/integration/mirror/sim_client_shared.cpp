// The blocking, independently signing agentd-sim client of the sim integration tests, compiled
// into this test binary too (it compares the mirror with what the simulator serves).
#include "tests/integration/sim/sim_client.cpp"
