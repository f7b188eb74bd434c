package dev.lockmanager.lock.chaos;

import java.time.Duration;

/**
 * How hard the suite pushes: the short profile runs in every build, the long one with {@code -Pchaos}
 * ({@code -Dchaos.profile=long}).
 *
 * @param name {@code short} or {@code long}
 * @param processes client processes per scenario
 * @param faults faults per scenario on a single Redis server
 * @param failovers failovers per Sentinel or Cluster scenario (each takes seconds)
 * @param ttl the leases' ttl
 * @param waitTime the clients' wait time
 * @param think mean time a holder spends between reading and writing the resource (uniform, half to one and a
 * half times this): long enough for a SIGSTOP sent when it reported the lease to land there
 * @param commandTimeout the clients' Redis command timeout
 */
record ChaosProfile(String name, int processes, int faults, int failovers, Duration ttl, Duration waitTime,
		Duration think, Duration commandTimeout) {

	static final ChaosProfile SHORT = new ChaosProfile("short", 3, 3, 2, Duration.ofSeconds(1), Duration.ofSeconds(3),
			Duration.ofMillis(40), Duration.ofSeconds(1));

	static final ChaosProfile LONG = new ChaosProfile("long", 5, 60, 12, Duration.ofSeconds(1), Duration.ofSeconds(3),
			Duration.ofMillis(40), Duration.ofSeconds(1));

	static ChaosProfile current() {
		String name = System.getProperty("chaos.profile", SHORT.name());
		return switch (name) {
			case "short" -> SHORT;
			case "long" -> LONG;
			default -> throw new IllegalArgumentException("chaos.profile must be short or long but was " + name);
		};
	}

}
