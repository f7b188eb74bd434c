package dev.lockmanager.lock.actuate;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * The gauge of leases this instance holds, read from the lock manager at each scrape (so it cannot drift from the
 * truth). Untagged: one value per instance.
 */
final class HeldLeasesMeterBinder implements MeterBinder {

	static final String LEASES_HELD = "lock.leases.held";

	private final RedisLockManager lockManager;

	HeldLeasesMeterBinder(RedisLockManager lockManager) {
		this.lockManager = lockManager;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(LEASES_HELD, this.lockManager, (manager) -> manager.heldLeases().size())
			.description("Leases this instance holds")
			.baseUnit("leases")
			.register(registry);
	}

}
