package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyConfig;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.OnFailure;
import dev.lockmanager.lock.autoconfigure.DistributedLockAnnotationAutoConfiguration;
import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Conditions and settings of {@link DistributedLockAnnotationAutoConfiguration}. No Redis server is needed: Lettuce
 * connects lazily, and calls go through a {@link LockManager} of the application that records them.
 */
class DistributedLockAnnotationAutoConfigurationTests {

	private static final String AUTO_PROXY_CREATOR = "org.springframework.aop.config.internalAutoProxyCreator";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class, DistributedLockAnnotationAutoConfiguration.class));

	@Test
	void advisorIsRegisteredByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(DistributedLockAdvisor.class);
			assertThat(context).getBean(LockManager.class).isInstanceOf(RedisLockManager.class);
		});
	}

	@Test
	void advisorIsAnInfrastructureBean() {
		this.runner.run((context) -> {
			String[] names = context.getBeanNamesForType(DistributedLockAdvisor.class);
			assertThat(names).hasSize(1);
			assertThat(context.getBeanFactory().getBeanDefinition(names[0]).getRole())
				.isEqualTo(BeanDefinition.ROLE_INFRASTRUCTURE);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.runner.withPropertyValues("distributed-lock.enabled=false")
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(DistributedLockAdvisor.class);
				assertThat(context).doesNotHaveBean(AUTO_PROXY_CREATOR);
				assertThat(AopUtils.isAopProxy(context.getBean(LockedService.class))).isFalse();
			});
	}

	@Test
	void backsOffWithoutLockManager() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
					DistributedLockAnnotationAutoConfiguration.class))
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(LockManager.class);
				assertThat(context).doesNotHaveBean(DistributedLockAdvisor.class);
				assertThat(context).doesNotHaveBean(AUTO_PROXY_CREATOR);
				assertThat(AopUtils.isAopProxy(context.getBean(LockedService.class))).isFalse();
			});
	}

	@Test
	void userDefinedAdvisorReplacesTheAutoConfiguredOne() {
		this.runner.withUserConfiguration(UserAdvisorConfig.class, LockedServiceConfig.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(DistributedLockAdvisor.class);
			assertThat(context).hasBean("userAdvisor");
			assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(7);
			RecordingLockManager recorder = context.getBean(UserAdvisorConfig.class).recorder;
			context.getBean(LockedService.class).work("k1");
			assertThat(recorder.requests).extracting(LockRequest::key).containsExactly("k1");
		});
	}

	@Test
	void defaultOrderIsJustBeforeTheLowestPrecedence() {
		this.runner.run((context) -> assertThat(context.getBean(DistributedLockAdvisor.class).getOrder())
			.isEqualTo(Ordered.LOWEST_PRECEDENCE - 1000));
	}

	@Test
	void orderIsConfigurable() {
		this.runner.withPropertyValues("distributed-lock.order=42")
			.run((context) -> assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(42));
	}

	@Test
	void autoProxyCreatorIsRegisteredWithClassProxying() {
		this.runner.withUserConfiguration(LockedServiceConfig.class).run((context) -> {
			assertThat(context).hasBean(AUTO_PROXY_CREATOR);
			assertThat(context.getBean(AUTO_PROXY_CREATOR)).isInstanceOfSatisfying(ProxyConfig.class,
					(creator) -> assertThat(creator.isProxyTargetClass()).isTrue());
			Object service = context.getBean("lockedService");
			assertThat(AopUtils.isCglibProxy(service)).isTrue();
		});
	}

	@Test
	void autoProxyCreatorUsesInterfaceProxiesWhenClassProxyingIsOff() {
		this.runner.withPropertyValues("spring.aop.proxy-target-class=false")
			.withBean(RecordingLockManager.class)
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				assertThat(context.getBean(AUTO_PROXY_CREATOR)).isInstanceOfSatisfying(ProxyConfig.class,
						(creator) -> assertThat(creator.isProxyTargetClass()).isFalse());
				Object service = context.getBean("lockedService");
				assertThat(AopUtils.isJdkDynamicProxy(service)).isTrue();
				// The annotation is on the implementation; the call comes in through the interface method.
				Lease lease = ((Work) service).work("through-interface");
				assertThat(lease.key()).isEqualTo("through-interface");
				assertThat(context.getBean(RecordingLockManager.class).requests).extracting(LockRequest::key)
					.containsExactly("through-interface");
			});
	}

	@Test
	void beansWithoutTheAnnotationAreNotProxied() {
		this.runner.withBean(Unlocked.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(AopUtils.isAopProxy(context.getBean(Unlocked.class))).isFalse();
		});
	}

	@Test
	void userLockManagerIsUsedByTheAnnotation() {
		this.runner.withBean(RecordingLockManager.class)
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(LockManager.class);
				RecordingLockManager recorder = context.getBean(RecordingLockManager.class);
				Work work = context.getBean(Work.class);
				Lease seen = work.work("order-1");
				assertThat(recorder.requests).containsExactly(new LockRequest(LockedService.class.getName() + ".work",
						"order-1", Duration.ofSeconds(10), Duration.ofSeconds(1), false));
				assertThat(recorder.leases).containsExactly((RecordingLease) seen);
				assertThat(((RecordingLease) seen).released).isTrue();
				assertThat(LockContext.current()).isEmpty();
			});
	}

	@Test
	void annotationsWithoutTtlOrWaitTimeUseTheConfiguredDefaults() {
		this.runner.withBean(RecordingLockManager.class)
			.withBean(Defaults.class)
			.withPropertyValues("distributed-lock.default-ttl=7s", "distributed-lock.default-wait-time=3s")
			.run((context) -> {
				context.getBean(Defaults.class).work();
				assertThat(context.getBean(RecordingLockManager.class).requests).singleElement()
					.isEqualTo(new LockRequest(Defaults.class.getName() + ".work", DistributedLock.NO_KEY,
							Duration.ofSeconds(7), Duration.ofSeconds(3), true));
			});
	}

	@Test
	void replicasOfTheAnnotationReachTheRequest() {
		this.runner.withBean(RecordingLockManager.class).withBean(Replicated.class).run((context) -> {
			context.getBean(Replicated.class).work();
			assertThat(context.getBean(RecordingLockManager.class).requests).singleElement()
				.extracting(LockRequest::replicas)
				.isEqualTo(2);
		});
	}

	@Test
	void lockNotAcquiredFromTheLockManagerReachesTheCallerUnchanged() {
		this.runner.withBean(RecordingLockManager.class)
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				RecordingLockManager recorder = context.getBean(RecordingLockManager.class);
				LockNotAcquiredException refusal = new LockNotAcquiredException("n", "k", "held elsewhere");
				recorder.refusal = refusal;
				LockedService service = context.getBean(LockedService.class);
				assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> service.work("k"))
					.isSameAs(refusal);
				assertThat(service.skipping("k")).isEmpty();
			});
	}

	@Test
	void leaseLostOnReleaseReachesTheCaller() {
		this.runner.withBean(RecordingLockManager.class)
			.withUserConfiguration(LockedServiceConfig.class)
			.run((context) -> {
				RecordingLockManager recorder = context.getBean(RecordingLockManager.class);
				recorder.loseLeases = true;
				assertThatExceptionOfType(LeaseLostException.class)
					.isThrownBy(() -> context.getBean(LockedService.class).work("k"));
				assertThat(recorder.leases).singleElement().satisfies((lease) -> assertThat(lease.released).isTrue());
			});
	}

	interface Work {

		Lease work(String id);

	}

	@Configuration(proxyBeanMethods = false)
	static class LockedServiceConfig {

		@Bean
		LockedService lockedService() {
			return new LockedService();
		}

	}

	static class LockedService implements Work {

		@Override
		@DistributedLock(key = "#id", ttl = "10s", waitTime = "1s", renew = false)
		public Lease work(String id) {
			return LockContext.current().orElseThrow();
		}

		@DistributedLock(key = "#id", onFailure = OnFailure.SKIP)
		public Optional<String> skipping(String id) {
			return Optional.of(id);
		}

	}

	static class Defaults {

		@DistributedLock
		public void work() {
		}

	}

	static class Replicated {

		@DistributedLock(replicas = 2)
		public void work() {
		}

	}

	static class Unlocked {

		public void work() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAdvisorConfig {

		final RecordingLockManager recorder = new RecordingLockManager();

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static DistributedLockAdvisor userAdvisor(ObjectProvider<UserAdvisorConfig> config,
				ConfigurableListableBeanFactory beanFactory) {
			DistributedLockAdvisor advisor = new DistributedLockAdvisor(() -> config.getObject().recorder,
					new AnnotationDefaults(Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1),
							Duration.ofMinutes(1)),
					beanFactory);
			advisor.setOrder(7);
			return advisor;
		}

	}

	/**
	 * A lock manager of the application: grants every request (unless told to refuse) and records it.
	 */
	static class RecordingLockManager implements LockManager {

		final List<LockRequest> requests = new CopyOnWriteArrayList<>();

		final List<RecordingLease> leases = new CopyOnWriteArrayList<>();

		volatile LockNotAcquiredException refusal;

		volatile boolean loseLeases;

		@Override
		public Lease acquire(LockRequest request) {
			this.requests.add(request);
			if (this.refusal != null) {
				throw this.refusal;
			}
			RecordingLease lease = new RecordingLease(request, this.requests.size(), this.loseLeases);
			this.leases.add(lease);
			return lease;
		}

		@Override
		public Optional<Lease> tryAcquire(LockRequest request) {
			try {
				return Optional.of(acquire(request));
			}
			catch (LockNotAcquiredException ex) {
				return Optional.empty();
			}
		}

	}

	static class RecordingLease implements Lease {

		private final LockRequest request;

		private final long fencingToken;

		private final boolean lost;

		volatile boolean released;

		RecordingLease(LockRequest request, long fencingToken, boolean lost) {
			this.request = request;
			this.fencingToken = fencingToken;
			this.lost = lost;
		}

		@Override
		public String name() {
			return this.request.name();
		}

		@Override
		public String key() {
			return this.request.key();
		}

		@Override
		public long fencingToken() {
			return this.fencingToken;
		}

		@Override
		public Instant acquiredAt() {
			return Instant.EPOCH;
		}

		@Override
		public Duration remaining() {
			return (this.released || this.lost) ? Duration.ZERO : this.request.ttl();
		}

		@Override
		public boolean isHeld() {
			return !this.released && !this.lost;
		}

		@Override
		public void renew(Duration ttl) {
		}

		@Override
		public void release() {
			boolean first = !this.released;
			this.released = true;
			if (first && this.lost) {
				throw new LeaseLostException(name(), key(), this.fencingToken, "lost");
			}
		}

		@Override
		public void close() {
			release();
		}

	}

}
