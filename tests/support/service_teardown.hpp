// The one teardown of a test that drives a reservations::reservation_service on its own
// io_context (the unit fixture and the integration rig). Nothing the service started may
// outlive it: recover() spawns drives without the worker, and a drive may still await the
// writer. run() cancels and awaits every child on its way out, so a worker is run once more
// to end them; then the writer finishes what it holds while the io_context its outcomes are
// posted to still exists. Header-only; the test's thread.
#pragma once

namespace agentd::test {

// `F` has: svc (unique_ptr to the service), db (unique_ptr to store::database), ioc,
// running, start_worker(), stop_worker().
template <class F>
void end_reservation_service(F& f) {
    if (f.svc) {
        if (!f.running) {
            f.start_worker();
            f.ioc.restart();
            f.ioc.poll();
        }
        f.stop_worker();
    }
    if (f.db) f.db->close();
    f.ioc.restart();
    f.ioc.poll();
    f.svc.reset();
}

}  // namespace agentd::test
