package dev.lockmanager.lock.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.management.ThreadMXBean;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.expression.Expression;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypeLocator;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.expression.spel.SpelMessage;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.DataBindingMethodResolver;
import org.springframework.expression.spel.support.DataBindingPropertyAccessor;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockRequest;

/**
 * Costs that need no round trip, timed in a tight loop on this thread after a warm-up: what the engine pays on
 * every operation besides Redis, and, as a diagnostic, the CPU of {@code @DistributedLock}'s advice with a stub
 * {@link LockManager} that hands out a ready lease. The stub isolates the advice from Redis; it is no substitute for
 * the measured difference of the annotated scenario, which is what a caller waits for.
 */
final class MicroCosts {

	private static final int CALLS = 200_000;

	private static final String KEY = "advice";

	private static volatile Object blackhole;

	private final Report report;

	private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();

	MicroCosts(Report report) {
		this.report = report;
	}

	void printEngineCosts(LettuceConnectionFactory factory, StringRedisTemplate template, RedisScript<?> script) {
		Map<String, Runnable> costs = new LinkedHashMap<>();
		SecureRandom random = new SecureRandom();
		costs.put("owner token: SecureRandom 16 bytes + hex (as OwnerTokens)", () -> {
			byte[] token = new byte[16];
			random.nextBytes(token);
			sink(HexFormat.of().formatHex(token));
		});
		costs.put("LettuceConnectionFactory.getConnection() + close()", () -> {
			RedisConnection connection = factory.getConnection();
			sink(connection);
			connection.close();
		});
		costs.put("StringRedisTemplate.execute(callback) without a command", () -> {
			sink(template.execute((RedisCallback<Object>) connection -> connection));
		});
		costs.put("RedisScript.getSha1() of a static script", () -> sink(script.getSha1()));
		this.report.print("");
		this.report.print("costs without a round trip (single thread, after warm-up):");
		costs.forEach((name, task) -> print(name, time(task)));
	}

	/**
	 * The advice's CPU: the stub called directly, then through the annotated proxy; and two of the advice's parts
	 * rebuilt here (its internals are not public): the key expression with a fresh evaluation context per call, as
	 * the advice evaluates it, and a class-based proxy whose interceptor only proceeds.
	 */
	void printAnnotationCosts() throws NoSuchMethodException {
		LockManager stub = new StubLockManager();
		LockedTarget locked = LockedTarget.proxy(stub);
		ProxyFactory factory = new ProxyFactory(new LockedTarget());
		factory.setProxyTargetClass(true);
		factory.addAdvice((MethodInterceptor) MethodInvocation::proceed);
		LockedTarget passThrough = (LockedTarget) factory.getProxy(LockedTarget.class.getClassLoader());
		Method method = LockedTarget.class.getMethod("locked", String.class);
		Expression expression = new SpelExpressionParser().parseExpression("#key");
		ParameterNameDiscoverer names = new DefaultParameterNameDiscoverer();
		Object[] arguments = { KEY };
		TypeLocator noTypes = (type) -> {
			throw new SpelEvaluationException(SpelMessage.TYPE_NOT_FOUND, type);
		};
		List<MethodResolver> instanceMethods = List.of(DataBindingMethodResolver.forInstanceMethodInvocation());
		List<PropertyAccessor> readOnly = List.of(DataBindingPropertyAccessor.forReadOnlyAccess());

		Cost direct = time(() -> stub.acquire(LockedTarget.request(KEY)).release());
		Cost annotated = time(() -> sink(locked.locked(KEY)));
		Cost spel = time(() -> {
			MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(null, method, arguments, names);
			context.setTypeLocator(noTypes);
			context.setConstructorResolvers(List.of());
			context.setMethodResolvers(instanceMethods);
			context.setPropertyAccessors(readOnly);
			sink(String.valueOf(expression.getValue(context)));
		});
		Cost proxy = time(() -> sink(passThrough.locked(KEY)));
		this.report.print("");
		this.report.print("diag: @DistributedLock's CPU without Redis (a stub LockManager returning a ready lease; "
				+ "single thread, after warm-up; not a substitute for #7 - #6):");
		print("stub acquire(LockRequest) + release(), called directly", direct);
		print("the same through the @DistributedLock proxy", annotated);
		print("  -> the annotation's own cost (difference)", annotated.minus(direct));
		this.report.print("  parts of it, rebuilt and timed alone (they need not add up):");
		print("  SpEL \"#key\", fresh MethodBasedEvaluationContext per call", spel);
		print("  class-based proxy with a pass-through interceptor", proxy);
	}

	private Cost time(Runnable task) {
		for (int i = 0; i < CALLS; i++) {
			task.run();
		}
		long thread = Thread.currentThread().getId();
		long allocated = this.threads.getThreadAllocatedBytes(thread);
		long start = System.nanoTime();
		for (int i = 0; i < CALLS; i++) {
			task.run();
		}
		long nanos = System.nanoTime() - start;
		return new Cost(nanos / (double) CALLS,
				(this.threads.getThreadAllocatedBytes(thread) - allocated) / (double) CALLS);
	}

	private void print(String name, Cost cost) {
		this.report.printf("  %-66s %6.2f us/call %7.0f B/call", name, cost.nanos / 1000, cost.bytes);
	}

	private static void sink(Object value) {
		blackhole = value;
	}

	/** Time and allocation per call. */
	private record Cost(double nanos, double bytes) {

		Cost minus(Cost other) {
			return new Cost(this.nanos - other.nanos, this.bytes - other.bytes);
		}

	}

	/** Hands out one ready lease without any I/O, so that only the caller's own work is timed. */
	private static final class StubLockManager implements LockManager {

		private final Lease lease = new StubLease();

		@Override
		public Lease acquire(LockRequest request) {
			return this.lease;
		}

		@Override
		public Optional<Lease> tryAcquire(LockRequest request) {
			return Optional.of(this.lease);
		}

	}

	private static final class StubLease implements Lease {

		@Override
		public String name() {
			return LockedTarget.NAME;
		}

		@Override
		public String key() {
			return KEY;
		}

		@Override
		public long fencingToken() {
			return 1;
		}

		@Override
		public Instant acquiredAt() {
			return Instant.EPOCH;
		}

		@Override
		public Duration remaining() {
			return Scenarios.TTL;
		}

		@Override
		public boolean isHeld() {
			return true;
		}

		@Override
		public void renew(Duration ttl) {
		}

		@Override
		public void release() {
		}

		@Override
		public void close() {
		}

	}

}
