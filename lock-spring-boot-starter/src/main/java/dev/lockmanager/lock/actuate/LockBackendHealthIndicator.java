package dev.lockmanager.lock.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.lockmanager.lock.redis.BackendStatus;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Health of the lock backend: UP when enough Redis nodes (one, or a majority in quorum mode) answered and loaded the
 * lock scripts within the check's own timeout (at most the command timeout), with each node's state in the details.
 */
final class LockBackendHealthIndicator extends AbstractHealthIndicator {

	private final RedisLockManager lockManager;

	private final Duration timeout;

	LockBackendHealthIndicator(RedisLockManager lockManager, Duration timeout) {
		super("Lock backend health check failed");
		this.lockManager = lockManager;
		this.timeout = timeout;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		BackendStatus backend = this.lockManager.checkBackend(this.timeout);
		Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
		for (BackendStatus.Node node : backend.nodes()) {
			Map<String, String> state = new LinkedHashMap<>();
			state.put("status", (node.reachable() ? Status.UP : Status.DOWN).getCode());
			if (node.error() != null) {
				state.put("error", node.error());
			}
			nodes.put(node.name(), state);
		}
		builder.status(backend.available() ? Status.UP : Status.DOWN)
			.withDetail("required", backend.required())
			.withDetail("nodes", nodes);
	}

}
