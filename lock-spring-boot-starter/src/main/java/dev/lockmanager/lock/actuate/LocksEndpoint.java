package dev.lockmanager.lock.actuate;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * The {@code locks} Actuator endpoint: lists the leases this instance holds and, only when its access is
 * {@code unrestricted} ({@code management.endpoint.locks.access=unrestricted}), force-releases them. Read-only by
 * default. The listing shows lock keys, which are application data: secure the endpoint as such.
 */
@Endpoint(id = "locks", defaultAccess = Access.READ_ONLY)
public final class LocksEndpoint {

	private final RedisLockManager lockManager;

	LocksEndpoint(RedisLockManager lockManager) {
		this.lockManager = lockManager;
	}

	/**
	 * @return the leases this instance holds, oldest first
	 */
	@ReadOperation
	public HeldLeasesDescriptor leases() {
		return new HeldLeasesDescriptor(this.lockManager.heldLeases().stream().map(LeaseDescriptor::of).toList());
	}

	/**
	 * Releases this instance's leases on a key: they are deleted in Redis and reported lost to their holders, whose
	 * work may then overlap with the next holder's. Leases of other instances are not touched.
	 * @param name the lock's name
	 * @param key the locked key
	 * @param reason why, recorded in the holder's {@code LeaseLostException} and in the log
	 * @param securityContext who asked, recorded with the reason
	 * @return how many leases were released
	 */
	@DeleteOperation
	public ForceReleaseDescriptor forceRelease(String name, String key, @Nullable String reason,
			SecurityContext securityContext) {
		Principal principal = securityContext.getPrincipal();
		String why = "through the locks endpoint" + ((principal != null) ? " by " + principal.getName() : "")
				+ ((reason != null && !reason.isBlank()) ? ": " + reason : "");
		return new ForceReleaseDescriptor(this.lockManager.forceRelease(name, key, why));
	}

	/**
	 * The leases this instance holds.
	 *
	 * @param leases oldest first
	 */
	public record HeldLeasesDescriptor(List<LeaseDescriptor> leases) implements OperationResponseBody {
	}

	/**
	 * One held lease.
	 *
	 * @param name the lock's namespace
	 * @param key the locked key
	 * @param fencingToken the lease's fencing token
	 * @param acquiredAt when it was granted, by this instance's clock
	 * @param remaining how long it is valid without renewal
	 */
	public record LeaseDescriptor(String name, String key, long fencingToken, Instant acquiredAt, Duration remaining) {

		static LeaseDescriptor of(Lease lease) {
			return new LeaseDescriptor(lease.name(), lease.key(), lease.fencingToken(), lease.acquiredAt(),
					lease.remaining());
		}

	}

	/**
	 * The outcome of a force release.
	 *
	 * @param released how many leases were released (0 when this instance held none on the key)
	 */
	public record ForceReleaseDescriptor(int released) implements OperationResponseBody {
	}

}
