package dev.lockmanager.lock.aop;

import java.time.Duration;

/**
 * What {@code @DistributedLock} uses when it gives no ttl or wait time, and the limits it is checked against.
 *
 * @param ttl the lease ttl of annotations without one
 * @param waitTime the wait time of annotations without one
 * @param maxTtl the longest ttl an annotation may give
 * @param maxWaitTime the longest wait time an annotation may give
 */
public record AnnotationDefaults(Duration ttl, Duration waitTime, Duration maxTtl, Duration maxWaitTime) {
}
