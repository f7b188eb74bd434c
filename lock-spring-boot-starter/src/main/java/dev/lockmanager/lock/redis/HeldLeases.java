package dev.lockmanager.lock.redis;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.lockmanager.lock.Lease;

/**
 * The leases a manager holds for this process (not those of remote clients): listed for operators, force-released on
 * their request, and released when the manager stops.
 */
final class HeldLeases {

	private static final Log logger = LogFactory.getLog(HeldLeases.class);

	private final Set<RedisLease> leases = ConcurrentHashMap.newKeySet();

	void add(RedisLease lease) {
		this.leases.add(lease);
	}

	void remove(RedisLease lease) {
		this.leases.remove(lease);
	}

	/** A snapshot of the leases still held, oldest first. */
	List<Lease> snapshot() {
		return this.leases.stream()
			.filter(RedisLease::isActive)
			.sorted(Comparator.comparing(RedisLease::acquiredAt))
			.map(Lease.class::cast)
			.toList();
	}

	/** Revokes the leases held on a key; see {@link RedisLockManager#forceRelease}. */
	int revoke(String name, String key, String reason) {
		int released = 0;
		for (RedisLease lease : this.leases) {
			if (lease.name().equals(name) && lease.key().equals(key) && lease.revoke(reason)) {
				released++;
			}
		}
		return released;
	}

	void releaseAll() {
		for (RedisLease lease : this.leases) {
			try {
				lease.release();
				logger.info("Released " + lease + " on shutdown");
			}
			catch (RuntimeException ex) {
				logger.warn("Could not release " + lease + " on shutdown: " + ex.getMessage());
			}
		}
	}

}
