package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * An invalid {@code @DistributedLock} fails the application context when the bean is created, with a message naming
 * the class, the method and what is wrong.
 */
class AnnotationValidationTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server());

	@Test
	void unparsableKey() {
		assertFails(UnparsableKey.class, "work(String)", "key \"#a +\"", "not a valid SpEL expression");
	}

	@Test
	void keyReferringToAnUnknownParameter() {
		assertFails(UnknownParameter.class, "work(String)", "#nme", "not a parameter of the method",
				"parameters: name");
	}

	@Test
	void keyReferringToAParameterPositionPastTheLast() {
		assertFails(PositionPastTheLast.class, "work(String)", "#p1");
	}

	@Test
	void keyWithATypeReference() {
		assertFails(TypeReferenceKey.class, "work(String)", "T(java.lang.Runtime)", "type reference", "not allowed");
	}

	@Test
	void keyWithAConstructor() {
		assertFails(ConstructorKey.class, "work(String)", "new java.lang.Object()", "constructor", "not allowed");
	}

	@Test
	void keyWithABeanReference() {
		assertFails(BeanReferenceKey.class, "work(String)", "@someBean", "bean reference", "not allowed");
	}

	@Test
	void keyWithAFunction() {
		assertFails(FunctionKey.class, "work(String)", "#fn(#name)", "function", "not allowed");
	}

	@Test
	void blankKeyExpression() {
		assertFails(BlankKey.class, "work(String)", "key");
	}

	@Test
	void negativeReplicas() {
		assertFails(NegativeReplicas.class, "work(String)", "replicas -2 must be at least 0");
	}

	/**
	 * A blank name fails at startup like every other invalid attribute, not at each call.
	 */
	@Test
	void blankName() {
		assertFails(BlankName.class, "work()", "name");
	}

	@Test
	void unparsableTtl() {
		assertFails(UnparsableTtl.class, "work()", "ttl \"banana\"", "not a duration");
	}

	@Test
	void negativeTtl() {
		assertFails(NegativeTtl.class, "work()", "ttl \"-1s\"", "must be between 1ms");
	}

	@Test
	void zeroTtl() {
		assertFails(ZeroTtl.class, "work()", "ttl \"0s\"", "must be between 1ms");
	}

	@Test
	void ttlAboveMaxTtl() {
		this.runner.withPropertyValues("distributed-lock.max-ttl=1m")
			.withBean(LongTtl.class)
			.run((context) -> assertFailure(context, LongTtl.class, "work()", "ttl \"2m\"",
					"distributed-lock.max-ttl (PT1M)"));
	}

	@Test
	void ttlAtMaxTtlIsAllowed() {
		this.runner.withPropertyValues("distributed-lock.max-ttl=2m")
			.withBean(LongTtl.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void unparsableWaitTime() {
		assertFails(UnparsableWaitTime.class, "work()", "waitTime \"soon\"", "not a duration");
	}

	@Test
	void negativeWaitTime() {
		assertFails(NegativeWaitTime.class, "work()", "waitTime \"-1s\"", "must be between 0");
	}

	@Test
	void waitTimeAboveMaxWaitTime() {
		this.runner.withPropertyValues("distributed-lock.max-wait-time=1m")
			.withBean(LongWaitTime.class)
			.run((context) -> assertFailure(context, LongWaitTime.class, "work()", "waitTime \"2m\"",
					"distributed-lock.max-wait-time (PT1M)"));
	}

	@Test
	void ttlFromAPlaceholder() {
		this.runner.withPropertyValues("my.ttl=5s").withBean(PlaceholderTtl.class).run((context) -> {
			assertThat(context).hasNotFailed();
			long pttl = context.getBean(PlaceholderTtl.class).work(UUID.randomUUID().toString());
			assertThat(pttl).isPositive().isLessThanOrEqualTo(5000);
		});
	}

	@Test
	void ttlFromAPlaceholderWithAnInvalidValue() {
		this.runner.withPropertyValues("my.ttl=banana")
			.withBean(PlaceholderTtl.class)
			.run((context) -> assertFailure(context, PlaceholderTtl.class, "work(String)", "ttl \"${my.ttl}\"",
					"resolved to \"banana\"", "not a duration"));
	}

	@Test
	void ttlFromAMissingPlaceholder() {
		this.runner.withBean(PlaceholderTtl.class)
			.run((context) -> assertFailure(context, PlaceholderTtl.class, "work(String)", "ttl", "my.ttl"));
	}

	/**
	 * As in a Spring Boot application, which always has a {@code PropertySourcesPlaceholderConfigurer}: an
	 * unresolvable placeholder must still fail with a message naming the method and attribute.
	 */
	@Test
	void ttlFromAMissingPlaceholderWithAPlaceholderConfigurer() {
		this.runner.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class))
			.withBean(PlaceholderTtl.class)
			.run((context) -> assertFailure(context, PlaceholderTtl.class, "work(String)", "ttl", "my.ttl"));
	}

	@Test
	void privateMethod() {
		assertFails(PrivateMethod.class, "work()", "private");
	}

	@Test
	void finalMethod() {
		assertFails(FinalMethod.class, "work()", "final");
	}

	@Test
	void staticMethod() {
		assertFails(StaticMethod.class, "work()", "static");
	}

	@Test
	void finalClass() {
		assertFails(FinalClass.class, "the class is final", "non-final");
	}

	@Test
	void completableFutureReturnType() {
		assertFails(CompletableFutureMethod.class, "work()", "CompletableFuture", "asynchronous");
	}

	@Test
	void futureReturnType() {
		assertFails(FutureMethod.class, "work()", "Future", "asynchronous");
	}

	@Test
	void monoReturnType() {
		assertFails(MonoMethod.class, "work()", "Mono", "asynchronous");
	}

	@Test
	void firstInvalidAnnotationOfTheClassIsReportedEvenIfTheMethodIsNeverCalled() {
		assertFails(OneBadAmongGood.class, "bad()", "ttl \"forever\"");
	}

	@Test
	void protectedMethodIsLocked() {
		this.runner.withBean(ProtectedMethod.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ProtectedMethod bean = context.getBean(ProtectedMethod.class);
			assertThat(AopUtils.isAopProxy(bean)).isTrue();
			assertThat(bean.work()).isTrue();
		});
	}

	@Test
	void metaAnnotationIsApplied() {
		this.runner.withBean(MetaAnnotated.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Lease lease = context.getBean(MetaAnnotated.class).work();
			assertThat(lease.name()).isEqualTo("report");
			assertThat(lease.key()).isEqualTo(DistributedLock.NO_KEY);
		});
	}

	@Test
	void metaAnnotationWithAnInvalidAttribute() {
		assertFails(BadlyMetaAnnotated.class, "work()", "ttl \"banana\"");
	}

	@Test
	void positionalParameterNeedsNoParameterNames() {
		this.runner.withBean(Positional.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(Positional.class).work("item", 2)).isEqualTo("item2");
		});
	}

	/**
	 * A class compiled at test time without {@code -parameters}: a key by parameter name fails the context and says
	 * how to fix it, a key by position works.
	 */
	@Test
	void parameterNamesMissing(@TempDir Path directory) throws Exception {
		JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		assumeTrue(javac != null, "needs a JDK");
		Path source = directory.resolve("generated/NoNames.java");
		Files.createDirectories(source.getParent());
		Files.writeString(source, """
				package generated;
				public class NoNames {
					@dev.lockmanager.lock.DistributedLock(key = "#itemName")
					public void byName(String itemName) {
					}
				}
				""");
		Path source2 = directory.resolve("generated/NoNamesByPosition.java");
		Files.writeString(source2, """
				package generated;
				public class NoNamesByPosition {
					@dev.lockmanager.lock.DistributedLock(key = "#p0")
					public String byPosition(String itemName) {
						return dev.lockmanager.lock.LockContext.current().orElseThrow().key();
					}
				}
				""");
		String classpath = Path.of(DistributedLock.class.getProtectionDomain().getCodeSource().getLocation().toURI())
			.toString();
		assertThat(javac.run(null, null, null, "-d", directory.toString(), "-cp", classpath, source.toString(),
				source2.toString()))
			.isZero();
		try (URLClassLoader loader = new URLClassLoader(new URL[] { directory.toUri().toURL() },
				getClass().getClassLoader())) {
			Class<?> byName = loader.loadClass("generated.NoNames");
			Class<?> byPosition = loader.loadClass("generated.NoNamesByPosition");
			assertThat(byName.getMethod("byName", String.class).getParameters()[0].isNamePresent()).isFalse();
			this.runner.withBean(byName.getName(), asObjectClass(byName))
				.run((context) -> assertFailure(context, byName, "byName(String)", "#itemName", "-parameters",
						"#p0"));
			// The context's class loader must see the class, so that its proxy class can be defined.
			this.runner.withClassLoader(loader)
				.withBean(byPosition.getName(), asObjectClass(byPosition))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					Object bean = context.getBean(byPosition.getName());
					Method method = bean.getClass().getMethod("byPosition", String.class);
					assertThat(method.invoke(bean, "item-7")).isEqualTo("item-7");
				});
		}
	}

	@SuppressWarnings("unchecked")
	private static Class<Object> asObjectClass(Class<?> type) {
		return (Class<Object>) type;
	}

	private void assertFails(Class<?> beanClass, String... fragments) {
		this.runner.withBean(beanClass).run((context) -> assertFailure(context, beanClass, fragments));
	}

	/**
	 * The context failed, and the exception that explains it (the root cause, or the one wrapping a parse failure)
	 * names the class, the method and the reason.
	 */
	private static void assertFailure(AssertableApplicationContext context, Class<?> beanClass, String... fragments) {
		assertThat(context).hasFailed();
		Throwable failure = lockFailure(context.getStartupFailure());
		assertThat(failure).as("exception with a @DistributedLock message in %s", context.getStartupFailure())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageStartingWith("@DistributedLock ")
			.hasMessageContaining(beanClass.getName());
		for (String fragment : fragments) {
			assertThat(failure).hasMessageContaining(fragment);
		}
	}

	private static Throwable lockFailure(Throwable failure) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate.getMessage() != null && candidate.getMessage().startsWith("@DistributedLock ")) {
				return candidate;
			}
		}
		return null;
	}

	static class UnparsableKey {

		@DistributedLock(key = "#a +")
		public void work(String a) {
		}

	}

	static class UnknownParameter {

		@DistributedLock(key = "#nme")
		public void work(String name) {
		}

	}

	static class PositionPastTheLast {

		@DistributedLock(key = "#p1")
		public void work(String name) {
		}

	}

	static class TypeReferenceKey {

		@DistributedLock(key = "T(java.lang.Runtime).getRuntime().toString() + #name")
		public void work(String name) {
		}

	}

	static class ConstructorKey {

		@DistributedLock(key = "new java.lang.Object()")
		public void work(String name) {
		}

	}

	static class BeanReferenceKey {

		@DistributedLock(key = "@someBean")
		public void work(String name) {
		}

	}

	static class FunctionKey {

		@DistributedLock(key = "#fn(#name)")
		public void work(String name) {
		}

	}

	static class BlankKey {

		@DistributedLock(key = "  ")
		public void work(String name) {
		}

	}

	static class NegativeReplicas {

		@DistributedLock(key = "#name", replicas = -2)
		public void work(String name) {
		}

	}

	static class BlankName {

		@DistributedLock(name = " ")
		public void work() {
		}

	}

	static class UnparsableTtl {

		@DistributedLock(ttl = "banana")
		public void work() {
		}

	}

	static class NegativeTtl {

		@DistributedLock(ttl = "-1s")
		public void work() {
		}

	}

	static class ZeroTtl {

		@DistributedLock(ttl = "0s")
		public void work() {
		}

	}

	static class LongTtl {

		@DistributedLock(ttl = "2m")
		public void work() {
		}

	}

	static class UnparsableWaitTime {

		@DistributedLock(waitTime = "soon")
		public void work() {
		}

	}

	static class NegativeWaitTime {

		@DistributedLock(waitTime = "-1s")
		public void work() {
		}

	}

	static class LongWaitTime {

		@DistributedLock(waitTime = "2m")
		public void work() {
		}

	}

	static class PlaceholderTtl {

		@DistributedLock(name = "placeholder", key = "#key", ttl = "${my.ttl}", renew = false)
		public long work(String key) {
			return (Long) redis.server().execute("PTTL", "lock:{placeholder:" + key + "}");
		}

	}

	static class PrivateMethod {

		@DistributedLock
		private void work() {
		}

	}

	static class FinalMethod {

		@DistributedLock
		public final void work() {
		}

	}

	static class StaticMethod {

		@DistributedLock
		public static void work() {
		}

	}

	static final class FinalClass {

		@DistributedLock
		public void work() {
		}

	}

	static class CompletableFutureMethod {

		@DistributedLock
		public CompletableFuture<String> work() {
			return CompletableFuture.completedFuture("done");
		}

	}

	static class FutureMethod {

		@DistributedLock
		public Future<String> work() {
			return CompletableFuture.completedFuture("done");
		}

	}

	static class MonoMethod {

		@DistributedLock
		public Mono<String> work() {
			return Mono.just("done");
		}

	}

	static class OneBadAmongGood {

		@DistributedLock(ttl = "10s")
		public void good() {
		}

		@DistributedLock(ttl = "forever")
		public void bad() {
		}

	}

	static class ProtectedMethod {

		@DistributedLock
		protected boolean work() {
			return LockContext.current().isPresent();
		}

	}

	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@DistributedLock(name = "report", ttl = "5s")
	@interface ReportLock {

	}

	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@DistributedLock(ttl = "banana")
	@interface BadLock {

	}

	static class MetaAnnotated {

		@ReportLock
		public Lease work() {
			return LockContext.current().orElseThrow();
		}

	}

	static class BadlyMetaAnnotated {

		@BadLock
		public void work() {
		}

	}

	static class Positional {

		@DistributedLock(key = "#p0 + #a1")
		public String work(String item, int quantity) {
			return LockContext.current().orElseThrow().key();
		}

	}

}
