package dev.lockmanager.lock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.Supplier;

import org.springframework.expression.Expression;

import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.OnFailure;

/**
 * A validated {@code @DistributedLock} of one method, parsed once and cached.
 *
 * @param method the most specific method, whose parameters the key expression refers to
 * @param description the method as named in messages ({@code OrderService.placeOrder(String, int)})
 * @param name the lock name
 * @param keySource the key expression as written, empty for none
 * @param key the parsed key expression, {@code null} for none
 * @param ttl the lease ttl
 * @param waitTime how long to wait
 * @param renew whether to renew while the method runs
 * @param replicas how many replicas must acknowledge the lease, or {@link LockRequest#REPLICAS_AS_CONFIGURED}
 * @param onFailure what to do when not acquired
 * @param skipped what the method returns when skipped
 */
record LockOperation(Method method, String description, String name, String keySource, Expression key, Duration ttl, Duration waitTime,
		boolean renew, int replicas, OnFailure onFailure, Supplier<Object> skipped) {

	LockRequest request(String keyValue) {
		return new LockRequest(this.name, keyValue, this.ttl, this.waitTime, this.renew, this.replicas);
	}

}
