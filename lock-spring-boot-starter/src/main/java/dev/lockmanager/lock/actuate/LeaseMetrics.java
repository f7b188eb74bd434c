package dev.lockmanager.lock.actuate;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * Records what happens to this instance's leases as Micrometer meters, tagged with the lock name (never the key, whose
 * values are unbounded). The gauge of held leases is {@link HeldLeasesMeterBinder}.
 */
final class LeaseMetrics implements LeaseListener {

	static final String WAIT = "lock.wait";

	static final String HELD = "lock.held";

	static final String RENEWALS = "lock.renewals";

	static final String RENEWAL_FAILURES = "lock.renewal.failures";

	static final String LOST = "lock.lost";

	static final String LOST_RELEASES = "lock.lost.releases";

	private final Meter.MeterProvider<Timer> waits;

	private final Meter.MeterProvider<Timer> holds;

	private final Meter.MeterProvider<Counter> renewals;

	private final Meter.MeterProvider<Counter> renewalFailures;

	private final Meter.MeterProvider<Counter> losses;

	private final Meter.MeterProvider<Counter> lostReleases;

	LeaseMetrics(MeterRegistry registry) {
		this.waits = Timer.builder(WAIT)
			.description("Time callers waited for a lease, by outcome: acquired, timeout (held by another owner, too "
					+ "many waiters or interrupted) or error (Redis unreachable)")
			.withRegistry(registry);
		this.holds = Timer.builder(HELD)
			.description("Time leases were held, from acquisition to release by their holder")
			.withRegistry(registry);
		this.renewals = Counter.builder(RENEWALS).description("Lease renewals").withRegistry(registry);
		this.renewalFailures = Counter.builder(RENEWAL_FAILURES)
			.description("Lease renewals that could not reach Redis (in the background, retried while the lease is valid)")
			.withRegistry(registry);
		this.losses = Counter.builder(LOST)
			.description("Leases lost: expired, taken by another owner or force-released")
			.withRegistry(registry);
		this.lostReleases = Counter.builder(LOST_RELEASES)
			.description("Releases of leases that had been lost: the guarded work may have run without exclusivity")
			.withRegistry(registry);
	}

	@Override
	public void acquired(Lease lease, Duration waited) {
		this.waits.withTags("name", lease.name(), "outcome", "acquired").record(waited);
	}

	@Override
	public void notAcquired(LockRequest request, Duration waited, LockNotAcquiredException reason) {
		String outcome = (reason instanceof LockBackendUnavailableException) ? "error" : "timeout";
		this.waits.withTags("name", request.name(), "outcome", outcome).record(waited);
	}

	@Override
	public void released(Lease lease, Duration held) {
		this.holds.withTag("name", lease.name()).record(held);
	}

	@Override
	public void renewed(Lease lease) {
		this.renewals.withTag("name", lease.name()).increment();
	}

	@Override
	public void renewalFailed(Lease lease, RuntimeException cause) {
		this.renewalFailures.withTag("name", lease.name()).increment();
	}

	@Override
	public void lost(Lease lease, String reason) {
		this.losses.withTag("name", lease.name()).increment();
	}

	@Override
	public void releasedAfterLoss(Lease lease) {
		this.lostReleases.withTag("name", lease.name()).increment();
	}

}
