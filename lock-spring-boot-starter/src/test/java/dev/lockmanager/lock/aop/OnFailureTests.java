package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.OnFailure;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * {@code onFailure}: with the key held from outside, {@code THROW} fails the call without running the method, and
 * {@code SKIP} returns an empty value of the method's return type without running it. Redis being down is never
 * skipped.
 */
class OnFailureTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	static final String NAME = "on-failure";

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server())
		.withUserConfiguration(Config.class);

	private final String key = "key-" + UUID.randomUUID();

	@Test
	void throwFailsWithLockNotAcquiredWithoutInvoking() {
		this.runner.run((context) -> {
			Throwing throwing = context.getBean(Throwing.class);
			whileHeldElsewhere(context, () -> assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> throwing.work(this.key))
				.isNotInstanceOf(LockBackendUnavailableException.class)
				.satisfies((ex) -> {
					assertThat(ex.getName()).isEqualTo(NAME);
					assertThat(ex.getKey()).isEqualTo(this.key);
				})
				.withMessageContaining(this.key));
			assertThat(throwing.invocations()).isEqualTo(0);
		});
	}

	@Test
	void throwIsTheDefault() {
		this.runner.run((context) -> {
			Throwing throwing = context.getBean(Throwing.class);
			whileHeldElsewhere(context, () -> assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> throwing.byDefault(this.key)));
			assertThat(throwing.invocations()).isEqualTo(0);
		});
	}

	@Test
	void throwOnPrimitiveMethodFailsWithLockNotAcquired() {
		this.runner.run((context) -> {
			Throwing throwing = context.getBean(Throwing.class);
			whileHeldElsewhere(context, () -> assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> throwing.count(this.key)));
			assertThat(throwing.invocations()).isEqualTo(0);
			assertThat(throwing.count(this.key)).isEqualTo(1);
		});
	}

	@Test
	void skipOnVoidMethodReturnsWithoutInvoking() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> assertThatNoException().isThrownBy(() -> skipping.voidMethod(this.key)));
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnVoidWrapperMethodReturnsNull() {
		assertSkipped(Skipping::voidWrapper, null);
	}

	@Test
	void skipOnObjectMethodReturnsNull() {
		assertSkipped(Skipping::object, null);
	}

	@Test
	void skipOnStringMethodReturnsNull() {
		assertSkipped(Skipping::string, null);
	}

	@Test
	void skipOnWrapperMethodReturnsNull() {
		assertSkipped(Skipping::boxed, null);
	}

	@Test
	void skipOnOptionalMethodReturnsEmptyOptional() {
		assertSkipped(Skipping::optional, Optional.empty());
	}

	@Test
	void skipOnListMethodReturnsEmptyList() {
		assertSkipped(Skipping::list, List.of());
	}

	@Test
	void skipOnSetMethodReturnsEmptySet() {
		assertSkipped(Skipping::set, Set.of());
	}

	@Test
	void skipOnMapMethodReturnsEmptyMap() {
		assertSkipped(Skipping::map, Map.of());
	}

	@Test
	void skipOnCollectionMethodReturnsEmptyCollection() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> assertThat(skipping.collection(this.key)).isNotNull().isEmpty());
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnIterableMethodReturnsEmptyIterable() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> assertThat(skipping.iterable(this.key)).isNotNull().isEmpty());
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnSortedSetMethodReturnsEmptySortedSet() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> {
				SortedSet<String> skipped = skipping.sortedSet(this.key);
				assertThat(skipped).isInstanceOf(SortedSet.class).isEmpty();
			});
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnSortedMapMethodReturnsEmptySortedMap() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> {
				SortedMap<String, String> skipped = skipping.sortedMap(this.key);
				assertThat(skipped).isInstanceOf(SortedMap.class).isEmpty();
			});
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnStreamMethodReturnsAFreshEmptyStreamEachCall() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> {
				Stream<String> first = skipping.stream(this.key);
				Stream<String> second = skipping.stream(this.key);
				assertThat(first).isNotSameAs(second);
				// Each can be consumed: a shared instance would fail the second terminal operation.
				assertThat(first.toList()).isEmpty();
				assertThat(second.toList()).isEmpty();
			});
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnIntStreamMethodReturnsAnEmptyIntStream() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> {
				IntStream skipped = skipping.intStream(this.key);
				assertThat(skipped).isNotNull();
				assertThat(skipped.count()).isZero();
			});
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipOnArrayMethodReturnsEmptyArrayOfTheComponentType() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> {
				assertThat(skipping.array(this.key)).isInstanceOf(String[].class).isEmpty();
				assertThat(skipping.primitiveArray(this.key)).isInstanceOf(int[].class).isEmpty();
			});
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	@Test
	void skipInvokesTheMethodWhenTheLockIsFree() {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			assertThat(skipping.list(this.key)).containsExactly("ran");
			assertThat(skipping.optional(this.key)).contains("ran");
			assertThat(skipping.invocations()).isEqualTo(2);
		});
	}

	@Test
	void skipOnAConcreteCollectionTypeFailsTheContextNamingClassAndMethod() {
		this.runner.withUserConfiguration(ConcreteCollectionSkipConfig.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining(ConcreteCollectionSkipping.class.getName())
				.hasMessageContaining("names(String)")
				.hasMessageContaining("SKIP cannot return an empty ArrayList");
		});
	}

	@Test
	void skipOnPrimitiveMethodFailsTheContextNamingClassAndMethod() {
		this.runner.withUserConfiguration(PrimitiveSkipConfig.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining(PrimitiveSkipping.class.getName())
				.hasMessageContaining("count(String)")
				.hasMessageContaining("SKIP cannot be used")
				.hasMessageContaining("int");
		});
	}

	@Test
	void skipOnBooleanMethodFailsTheContext() {
		this.runner.withUserConfiguration(BooleanSkipConfig.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining(BooleanSkipping.class.getName())
				.hasMessageContaining("done(String)")
				.hasMessageContaining("SKIP cannot be used")
				.hasMessageContaining("boolean");
		});
	}

	@Test
	void skipDoesNotHideRedisBeingDown() {
		this.runner.withPropertyValues("spring.data.redis.timeout=1s").run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			assertThat(skipping.string(this.key)).isEqualTo("ran");
			redis.server().stop();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> skipping.string(this.key))
				.withMessageContaining(this.key);
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> skipping.voidMethod(this.key));
			assertThat(skipping.invocations()).isEqualTo(1);
		});
	}

	@Test
	void skipWithWaitTimeDoesNotHideRedisBeingDown() {
		this.runner.withPropertyValues("spring.data.redis.timeout=1s").run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			redis.server().stop();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> skipping.waiting(this.key));
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	private <T> void assertSkipped(SkippingCall<T> call, T expected) {
		this.runner.run((context) -> {
			Skipping skipping = context.getBean(Skipping.class);
			whileHeldElsewhere(context, () -> assertThat(call.apply(skipping, this.key)).isEqualTo(expected));
			assertThat(skipping.invocations()).isEqualTo(0);
		});
	}

	/** Runs {@code check} while another holder (this test, through the lock manager) has the key. */
	private void whileHeldElsewhere(AssertableApplicationContext context, Runnable check) {
		LockManager lockManager = context.getBean(LockManager.class);
		try (Lease lease = lockManager.tryAcquire(LockRequest.of(NAME, this.key, Duration.ofSeconds(30)))
			.orElseThrow()) {
			assertThat(redis.server().execute("EXISTS", "lock:{" + NAME + ":" + this.key + "}")).isEqualTo(1L);
			check.run();
			assertThat(lease.isHeld()).isTrue();
		}
	}

	@FunctionalInterface
	interface SkippingCall<T> {

		T apply(Skipping skipping, String key);

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Skipping skipping() {
			return new Skipping();
		}

		@Bean
		Throwing throwing() {
			return new Throwing();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConcreteCollectionSkipConfig {

		@Bean
		ConcreteCollectionSkipping concreteCollectionSkipping() {
			return new ConcreteCollectionSkipping();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimitiveSkipConfig {

		@Bean
		PrimitiveSkipping primitiveSkipping() {
			return new PrimitiveSkipping();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BooleanSkipConfig {

		@Bean
		BooleanSkipping booleanSkipping() {
			return new BooleanSkipping();
		}

	}

	static class Throwing {

		private final AtomicInteger invocations = new AtomicInteger();

		/** How often the method bodies ran (a method, so that it reaches the target through the proxy). */
		public int invocations() {
			return this.invocations.get();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.THROW)
		public String work(String key) {
			this.invocations.incrementAndGet();
			return "ran";
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0")
		public void byDefault(String key) {
			this.invocations.incrementAndGet();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0")
		public int count(String key) {
			return this.invocations.incrementAndGet();
		}

	}

	static class Skipping {

		private final AtomicInteger invocations = new AtomicInteger();

		/** How often the method bodies ran (a method, so that it reaches the target through the proxy). */
		public int invocations() {
			return this.invocations.get();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public void voidMethod(String key) {
			ran();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Void voidWrapper(String key) {
			ran();
			return null;
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Object object(String key) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public String string(String key) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Integer boxed(String key) {
			ran();
			return 1;
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Optional<String> optional(String key) {
			return Optional.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public List<String> list(String key) {
			return List.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Set<String> set(String key) {
			return Set.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Map<String, String> map(String key) {
			return Map.of(ran(), ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Collection<String> collection(String key) {
			return List.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Iterable<String> iterable(String key) {
			return List.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public SortedSet<String> sortedSet(String key) {
			return new TreeSet<>(Set.of(ran()));
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public SortedMap<String, String> sortedMap(String key) {
			return new TreeMap<>(Map.of(ran(), "value"));
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public Stream<String> stream(String key) {
			return Stream.of(ran());
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public IntStream intStream(String key) {
			ran();
			return IntStream.of(1);
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public String[] array(String key) {
			return new String[] { ran() };
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0", onFailure = OnFailure.SKIP)
		public int[] primitiveArray(String key) {
			ran();
			return new int[] { 1 };
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "1s", onFailure = OnFailure.SKIP)
		public String waiting(String key) {
			return ran();
		}

		private String ran() {
			this.invocations.incrementAndGet();
			return "ran";
		}

	}

	static class ConcreteCollectionSkipping {

		@DistributedLock(key = "#key", onFailure = OnFailure.SKIP)
		public java.util.ArrayList<String> names(String key) {
			return new java.util.ArrayList<>();
		}

	}

	static class PrimitiveSkipping {

		@DistributedLock(key = "#key", onFailure = OnFailure.SKIP)
		public int count(String key) {
			return 1;
		}

	}

	static class BooleanSkipping {

		@DistributedLock(key = "#key", onFailure = OnFailure.SKIP)
		public boolean done(String key) {
			return true;
		}

	}

}
