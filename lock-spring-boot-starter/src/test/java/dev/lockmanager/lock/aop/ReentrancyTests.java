package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Nested locked calls on the call chain: the same name and key reuse the enclosing lease, another key takes a lease of
 * its own, and everything is released and forgotten when the outer call returns.
 */
class ReentrancyTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	static final String NAME = "reentrant";

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server())
		.withUserConfiguration(Config.class);

	private final String key = "key-" + UUID.randomUUID();

	private final String otherKey = "other-" + UUID.randomUUID();

	@Test
	void lockContextIsEmptyOutsideLockedMethods() {
		assertThat(LockContext.current()).isEmpty();
		this.runner.run((context) -> {
			context.getBean(Outer.class).notLocked();
			assertThat(LockContext.current()).isEmpty();
		});
	}

	@Test
	void nestedCallOnTheSameKeyThroughAnotherBeanReusesTheLease() {
		this.runner.run((context) -> {
			Outer outer = context.getBean(Outer.class);
			warmUp(context);
			long start = System.nanoTime();
			Nested nested = outer.callInner(this.key, this.key);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
			assertThat(nested.inner()).isSameAs(nested.outer());
			assertThat(nested.inner().fencingToken()).isEqualTo(nested.outer().fencingToken());
			assertThat(nested.outerAfterInner()).isSameAs(nested.outer());
			assertThat(nested.outerKeyExistedDuringInner()).isTrue();
			assertThat(nested.outerHeldAfterInner()).isTrue();
		});
	}

	@Test
	void nestedCallOnTheSameKeyThroughItsOwnProxyReusesTheLease() {
		this.runner.run((context) -> {
			Inner inner = context.getBean(Inner.class);
			warmUp(context);
			long start = System.nanoTime();
			Lease[] leases = inner.callSelf(this.key);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
			assertThat(leases[1]).isSameAs(leases[0]);
			assertThat(leases[1].fencingToken()).isEqualTo(leases[0].fencingToken());
		});
	}

	@Test
	void nestedCallOnAnotherKeyTakesASecondLease() {
		this.runner.run((context) -> {
			Outer outer = context.getBean(Outer.class);
			Nested nested = outer.callInner(this.key, this.otherKey);
			assertThat(nested.inner()).isNotSameAs(nested.outer());
			assertThat(nested.outer().key()).isEqualTo(this.key);
			assertThat(nested.inner().key()).isEqualTo(this.otherKey);
			assertThat(nested.outerKeyExistedDuringInner()).isTrue();
			assertThat(nested.innerKeyExistedDuringInner()).isTrue();
			assertThat(nested.innerKeyExistedAfterInner()).isFalse();
			assertThat(nested.outerAfterInner()).isSameAs(nested.outer());
			assertThat(nested.outerHeldAfterInner()).isTrue();
			assertThat(nested.inner().isHeld()).isFalse();
			assertKeyReleased(this.key);
			assertKeyReleased(this.otherKey);
		});
	}

	@Test
	void nestedCallOnAnotherKeyGetsTheFencingTokenOfThatKey() {
		this.runner.run((context) -> {
			Inner inner = context.getBean(Inner.class);
			// Advance the other key's fencing counter past the key's, so the two leases cannot share a token.
			inner.lease(this.otherKey);
			inner.lease(this.otherKey);
			Nested nested = context.getBean(Outer.class).callInner(this.key, this.otherKey);
			assertThat(nested.inner().fencingToken()).isNotEqualTo(nested.outer().fencingToken())
				.isGreaterThan(nested.outer().fencingToken());
		});
	}

	@Test
	void nestedCallWithTheSameKeyUnderAnotherNameTakesASecondLease() {
		this.runner.run((context) -> {
			Outer outer = context.getBean(Outer.class);
			Lease[] leases = outer.callOtherName(this.key);
			assertThat(leases[1]).isNotSameAs(leases[0]);
			assertThat(leases[0].name()).isEqualTo(NAME);
			assertThat(leases[1].name()).isEqualTo("another-name");
			assertThat(leases[1].key()).isEqualTo(this.key);
		});
	}

	@Test
	void outerReturnReleasesTheKeyAndClearsTheContext() {
		this.runner.run((context) -> {
			Nested nested = context.getBean(Outer.class).callInner(this.key, this.key);
			assertThat(LockContext.current()).isEmpty();
			assertThat(nested.outer().isHeld()).isFalse();
			assertKeyReleased(this.key);
		});
	}

	@Test
	void failingInnerCallReleasesEverythingAndClearsTheContext() {
		this.runner.run((context) -> {
			Outer outer = context.getBean(Outer.class);
			assertThatIllegalStateException().isThrownBy(() -> outer.callFailingInner(this.key, this.otherKey))
				.withMessage("inner failed");
			assertThat(LockContext.current()).isEmpty();
			assertKeyReleased(this.key);
			assertKeyReleased(this.otherKey);
			// A stale frame would make this call reuse a released lease instead of taking a new one.
			Lease lease = context.getBean(Inner.class).lease(this.key);
			assertThat(lease.isHeld()).isFalse();
			assertThat(lease.fencingToken()).isPositive();
		});
	}

	@Test
	void reentrancyFollowsTheCallChainNotTheLockName() {
		this.runner.run((context) -> {
			Outer outer = context.getBean(Outer.class);
			Inner inner = context.getBean(Inner.class);
			// While the outer call holds the key, the same key from another thread is not reentrant.
			Throwable failure = outer.whileHolding(this.key, () -> CompletableFuture
				.supplyAsync(() -> inner.tryLease(this.key))
				.handle((lease, ex) -> ex)
				.join());
			assertThat(failure).isInstanceOf(CompletionException.class)
				.hasCauseInstanceOf(LockNotAcquiredException.class);
		});
	}

	/** Connects to Redis and loads the scripts, so that timings measure only the locking. */
	private void warmUp(ApplicationContext context) {
		context.getBean(Inner.class).lease(this.otherKey);
	}

	private static void assertKeyReleased(String key) {
		assertThat(redis.server().execute("EXISTS", leaseKey(key))).isEqualTo(0L);
	}

	static String leaseKey(String key) {
		return "lock:{" + NAME + ":" + key + "}";
	}

	static boolean exists(String key) {
		return Long.valueOf(1).equals(redis.server().execute("EXISTS", leaseKey(key)));
	}

	/**
	 * What an outer locked method saw around a nested locked call.
	 */
	record Nested(Lease outer, Lease inner, boolean outerKeyExistedDuringInner, boolean innerKeyExistedDuringInner,
			Lease outerAfterInner, boolean outerHeldAfterInner, boolean innerKeyExistedAfterInner) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Inner inner(ObjectProvider<Inner> self) {
			return new Inner(self);
		}

		@Bean
		Outer outer(Inner inner) {
			return new Outer(inner);
		}

	}

	static class Outer {

		private final Inner inner;

		Outer(Inner inner) {
			this.inner = inner;
		}

		public void notLocked() {
			assertThat(LockContext.current()).isEmpty();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public Nested callInner(String key, String innerKey) {
			Lease outer = LockContext.current().orElseThrow();
			Lease[] seen = new Lease[1];
			boolean[] existed = new boolean[2];
			this.inner.run(innerKey, () -> {
				seen[0] = LockContext.current().orElseThrow();
				existed[0] = exists(key);
				existed[1] = exists(innerKey);
			});
			Lease after = LockContext.current().orElseThrow();
			return new Nested(outer, seen[0], existed[0], existed[1], after, after.isHeld(), exists(innerKey));
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public Lease[] callOtherName(String key) {
			return new Lease[] { LockContext.current().orElseThrow(), this.inner.otherName(key) };
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public void callFailingInner(String key, String innerKey) {
			this.inner.run(innerKey, () -> {
				throw new IllegalStateException("inner failed");
			});
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public <T> T whileHolding(String key, Supplier<T> work) {
			return work.get();
		}

	}

	static class Inner {

		private final ObjectProvider<Inner> self;

		Inner(ObjectProvider<Inner> self) {
			this.self = self;
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public void run(String key, Runnable work) {
			work.run();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public Lease lease(String key) {
			return LockContext.current().orElseThrow();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0")
		public Lease tryLease(String key) {
			return LockContext.current().orElseThrow();
		}

		@DistributedLock(name = "another-name", key = "#key", waitTime = "2s")
		public Lease otherName(String key) {
			return LockContext.current().orElseThrow();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "2s")
		public Lease[] callSelf(String key) {
			Lease outer = LockContext.current().orElseThrow();
			return new Lease[] { outer, this.self.getObject().lease(key) };
		}

	}

}
