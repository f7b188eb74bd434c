package dev.lockmanager.lock;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method while this process holds a lease on a key, so the method never runs in two processes at
 * once for the same key while the lease is valid.
 * <pre class="code">
 * &#64;DistributedLock(key = "#itemName", ttl = "10s")
 * public Order placeOrder(String itemName, int quantity) { ... }
 * </pre>
 * The method must be public or protected, not final, on a Spring bean called through its proxy (not through
 * {@code this}); the annotation is validated when the bean is created, and an invalid one fails the application
 * context with a message naming the class, method and attribute. Methods returning a {@code CompletionStage},
 * {@code Future} or reactive type are rejected: the lease would be released before the work completes.
 * <p>
 * While the method runs, {@link LockContext#current()} returns the lease (pass its fencing token to the protected
 * resource). A nested call on the same name and key within the call chain reuses the lease. If the lease is lost
 * while the method runs, {@link LeaseLostException} reaches the caller after the method finished (its own exception
 * attached as suppressed). When a transaction is active at the time the lock is taken, the release waits until the
 * transaction completed, and a lease found lost before the commit rolls the transaction back.
 * <p>
 * Usable as a meta-annotation.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DistributedLock {

	/**
	 * The locked value: a SpEL expression over the method's parameters, by name ({@code #itemName},
	 * {@code #order.customerId}) or position ({@code #p0}, {@code #a0}); method calls on arguments are allowed, type
	 * references, constructors and bean references are not. The result is converted with {@code String.valueOf};
	 * {@code null} or blank fails the call with {@link IllegalArgumentException}. Empty (the default): every call of
	 * the method shares one lock, with the key {@value #NO_KEY}.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * The lock's namespace. Empty (the default): the declaring class and method name, such as
	 * {@code com.example.OrderService.placeOrder}. Methods with the same name and key share a lock.
	 * @return the lock name
	 */
	String name() default "";

	/**
	 * Lease length: {@code "500ms"}, {@code "10s"}, {@code "PT1M"}, or a {@code ${...}} placeholder. With renewal
	 * this is the lease granularity (how soon a crashed holder's lock frees up), not a limit on the method's run
	 * time. Empty: {@code distributed-lock.default-ttl}.
	 * @return the lease ttl
	 */
	String ttl() default "";

	/**
	 * How long to wait for the lock: {@code "0"} tries once. Empty: {@code distributed-lock.default-wait-time}.
	 * @return the wait time
	 */
	String waitTime() default "";

	/**
	 * Whether the lease is renewed while the method runs. {@code false}: the lease simply expires after the ttl,
	 * even if the method is still running.
	 * @return whether to renew the lease
	 */
	boolean renew() default true;

	/**
	 * What happens when the lock is not acquired within the wait time.
	 * @return the failure strategy
	 */
	OnFailure onFailure() default OnFailure.THROW;

	/**
	 * How many replicas must acknowledge the lease before the method runs (Redis {@code WAIT}); -1 (the default):
	 * {@code distributed-lock.replica-acknowledgement.replicas}. Narrows, does not close, the window in which a
	 * failover loses a fresh lease.
	 * @return the number of replicas, 0 for none, or -1 for the configured number
	 */
	int replicas() default LockRequest.REPLICAS_AS_CONFIGURED;

	/**
	 * The key used when {@link #key()} is empty.
	 */
	String NO_KEY = "*";

}
