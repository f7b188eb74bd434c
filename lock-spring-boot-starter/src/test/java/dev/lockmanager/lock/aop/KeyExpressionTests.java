package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Key expressions: what they can refer to, which Redis key they lock, and that argument values are data that is never
 * evaluated.
 */
class KeyExpressionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	static final String NAME = "keys";

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server())
		.withUserConfiguration(Config.class);

	private final String id = UUID.randomUUID().toString();

	@Test
	void parameterNameIsTheKey() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).byName(this.id, 3))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void firstParameterByPosition() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).byP0(this.id, "other"))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void secondParameterByPosition() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).byA1("other", this.id))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void propertyOfAJavaBean() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).beanProperty(new Order(this.id)))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void componentOfARecordAsProperty() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).recordProperty(new OrderRecord(this.id)))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void componentOfARecordByAccessorCall() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).recordAccessor(new OrderRecord(this.id)))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void methodCallOnAnArgument() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).upperCase("item-" + this.id))
			.isEqualTo(new Locked(("item-" + this.id).toUpperCase(), true)));
	}

	@Test
	void mapArgumentIndexedByKey() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).mapEntry(Map.of("k", this.id, "x", "y")))
			.isEqualTo(new Locked(this.id, true)));
	}

	@Test
	void concatenationOfTwoParameters() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).concatenated("tenant", this.id))
			.isEqualTo(new Locked("tenant:" + this.id, true)));
	}

	@Test
	void nonStringValueIsConvertedWithStringValueOf() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).number(42L))
			.isEqualTo(new Locked("42", true)));
	}

	@Test
	void noKeyLocksTheWholeMethodUnderTheStarKey() {
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).noKey())
			.isEqualTo(new Locked(DistributedLock.NO_KEY, true)));
	}

	@Test
	void defaultNameIsTheDeclaringClassAndMethod() {
		this.runner.run((context) -> {
			Lease lease = context.getBean(Keys.class).unnamed(this.id);
			assertThat(lease.name()).isEqualTo(Keys.class.getName() + ".unnamed");
			assertThat(lease.key()).isEqualTo(this.id);
		});
	}

	@Test
	void parameterOfAMethodImplementingAGenericInterface() {
		this.runner.run((context) -> {
			@SuppressWarnings("unchecked")
			Handler<Order> handler = context.getBean(Handler.class);
			assertThat(handler.handle(new Order(this.id))).isEqualTo(new Locked(this.id, true));
		});
	}

	@Test
	void typeReferenceInAnArgumentIsLockedVerbatimAndNeverEvaluated(@TempDir Path directory) {
		Path marker = directory.resolve("pwned");
		String value = "T(java.lang.Runtime).getRuntime().exec('touch " + marker + "')";
		this.runner.run((context) -> {
			assertThat(context.getBean(Keys.class).byName(value, 1)).isEqualTo(new Locked(value, true));
			assertThat(marker).doesNotExist();
		});
	}

	@Test
	void templateInAnArgumentIsLockedVerbatimAndNeverEvaluated() {
		String value = "#{T(java.lang.System).getProperty('user.home')}${user.home}";
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).byName(value, 1))
			.isEqualTo(new Locked(value, true)));
	}

	@Test
	void expressionLookingArgumentInAPropertyIsLockedVerbatim() {
		String value = "#p0 + new java.lang.Object()";
		this.runner.run((context) -> assertThat(context.getBean(Keys.class).beanProperty(new Order(value)))
			.isEqualTo(new Locked(value, true)));
	}

	@Test
	void nullKeyFailsNamingTheMethodAndExpressionWithoutInvoking() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.byName(null, 1))
				.withMessageContaining(Keys.class.getName() + ".byName(String, int)")
				.withMessageContaining("\"#itemName\"")
				.withMessageContaining("null");
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void blankKeyFailsNamingTheMethodAndExpressionWithoutInvoking() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.byName(" \t", 1))
				.withMessageContaining(Keys.class.getName() + ".byName(String, int)")
				.withMessageContaining("\"#itemName\"");
			assertThatIllegalArgumentException().isThrownBy(() -> keys.byName("", 1))
				.withMessageContaining("byName");
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void nullPropertyValueFailsLikeANullKey() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.beanProperty(new Order(null)))
				.withMessageContaining("beanProperty(Order)")
				.withMessageContaining("\"#order.customerId\"");
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void propertyOfANullArgumentFailsNamingTheMethodAndExpressionWithoutInvoking() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.beanProperty(null))
				.withMessageContaining(Keys.class.getName() + ".beanProperty(Order)")
				.withMessageContaining("\"#order.customerId\"")
				.withMessageContaining("could not be evaluated");
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void reflectionThroughGetClassIsNotAvailableToKeys() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.className(this.id))
				.withMessageContaining("className(String)")
				.withMessageContaining("could not be evaluated");
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void argumentPropertiesCannotBeWritten() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			Order order = new Order(this.id);
			assertThatIllegalArgumentException().isThrownBy(() -> keys.assigning(order))
				.withMessageContaining("could not be evaluated");
			assertThat(order.getCustomerId()).isEqualTo(this.id);
			assertThat(keys.invocations()).isEqualTo(0);
		});
	}

	@Test
	void differentArgumentsTakeDifferentLocksThatCanBeHeldAtOnce() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			Holding holding = holdInBackground(keys, "a-" + this.id);
			try {
				assertThat(keys.tryOnce("b-" + this.id)).isEqualTo("b-" + this.id);
				assertThat(redis.server().execute("EXISTS", leaseKey(NAME, "a-" + this.id))).isEqualTo(1L);
			}
			finally {
				holding.finish();
			}
		});
	}

	@Test
	void sameArgumentFromTwoThreadsIsExclusive() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			Holding holding = holdInBackground(keys, this.id);
			try {
				assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> keys.tryOnce(this.id));
			}
			finally {
				holding.finish();
			}
			assertThat(keys.tryOnce(this.id)).isEqualTo(this.id);
		});
	}

	@Test
	void equalArgumentsOfDifferentIdentityShareTheLock() {
		this.runner.run((context) -> {
			Keys keys = context.getBean(Keys.class);
			Holding holding = holdInBackground(keys, new String(this.id));
			try {
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> keys.tryOnce(new String(this.id)));
			}
			finally {
				holding.finish();
			}
		});
	}

	private Holding holdInBackground(Keys keys, String key) {
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch leave = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> keys.hold(key, entered, leave));
		await().atMost(Duration.ofSeconds(10)).until(() -> entered.getCount() == 0 || holder.isDone());
		assertThat(holder).isNotDone();
		return new Holding(leave, holder);
	}

	/** The Redis key of a lease, encoded like {@code LockKeys}: everything outside {@code [A-Za-z0-9._-]} as %XX. */
	static String leaseKey(String name, String key) {
		return "lock:{" + encode(name) + ":" + encode(key) + "}";
	}

	private static String encode(String value) {
		StringBuilder encoded = new StringBuilder();
		for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xFF;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == '-') {
				encoded.append((char) c);
			}
			else {
				encoded.append(String.format("%%%02X", c));
			}
		}
		return encoded.toString();
	}

	private record Holding(CountDownLatch leave, CompletableFuture<Void> holder) {

		void finish() throws Exception {
			this.leave.countDown();
			this.holder.get(10, TimeUnit.SECONDS);
		}

	}

	/**
	 * What a locked method saw: the key of its lease, and whether the lease key existed in Redis while it ran.
	 */
	record Locked(String key, boolean existed) {

		static Locked now() {
			Lease lease = LockContext.current().orElseThrow();
			Object exists = redis.server().execute("EXISTS", leaseKey(lease.name(), lease.key()));
			return new Locked(lease.key(), Long.valueOf(1).equals(exists));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Keys keys() {
			return new Keys();
		}

		@Bean
		OrderHandler orderHandler() {
			return new OrderHandler();
		}

	}

	public static class Order {

		private final String customerId;

		public Order(String customerId) {
			this.customerId = customerId;
		}

		public String getCustomerId() {
			return this.customerId;
		}

	}

	public record OrderRecord(String customerId) {
	}

	interface Handler<T> {

		Locked handle(T item);

	}

	static class OrderHandler implements Handler<Order> {

		@Override
		@DistributedLock(name = NAME, key = "#order.customerId")
		public Locked handle(Order order) {
			return Locked.now();
		}

	}

	static class Keys {

		private final AtomicInteger invocations = new AtomicInteger();

		/** How often the method bodies ran (a method, so that it reaches the target through the proxy). */
		public int invocations() {
			return this.invocations.get();
		}

		@DistributedLock(name = NAME, key = "#itemName")
		public Locked byName(String itemName, int quantity) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#p0")
		public Locked byP0(String first, String second) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#a1")
		public Locked byA1(String first, String second) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#order.customerId")
		public Locked beanProperty(Order order) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#order.customerId")
		public Locked recordProperty(OrderRecord order) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#order.customerId()")
		public Locked recordAccessor(OrderRecord order) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#name.toUpperCase()")
		public Locked upperCase(String name) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#m['k']")
		public Locked mapEntry(Map<String, String> m) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#tenant + ':' + #id")
		public Locked concatenated(String tenant, String id) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#id")
		public Locked number(long id) {
			return ran();
		}

		@DistributedLock(name = NAME)
		public Locked noKey() {
			return ran();
		}

		@DistributedLock(key = "#id")
		public Lease unnamed(String id) {
			ran();
			return LockContext.current().orElseThrow();
		}

		@DistributedLock(name = NAME, key = "#id.getClass().getName()")
		public Locked className(String id) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#order.customerId = 'changed'")
		public Locked assigning(Order order) {
			return ran();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0")
		public String tryOnce(String key) {
			ran();
			return LockContext.current().orElseThrow().key();
		}

		@DistributedLock(name = NAME, key = "#key", waitTime = "0")
		public void hold(String key, CountDownLatch entered, CountDownLatch leave) {
			ran();
			entered.countDown();
			try {
				leave.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private Locked ran() {
			this.invocations.incrementAndGet();
			return Locked.now();
		}

	}

}
