package dev.lockmanager.lock.autoconfigure;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.transaction.ConfigurableTransactionManager;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.aop.AnnotationDefaults;
import dev.lockmanager.lock.aop.DistributedLockAdvisor;
import dev.lockmanager.lock.aop.LeaseCommitGuard;

/**
 * Applies {@link DistributedLock} to bean methods through an advisor, with an auto-proxy creator registered if the
 * application has none (no {@code @EnableAspectJAutoProxy} needed). Needs a {@link LockManager} bean; backs off when
 * {@code distributed-lock.enabled=false}.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
@ConditionalOnBean(LockManager.class)
@Import(DistributedLockAnnotationAutoConfiguration.AutoProxyRegistrar.class)
public final class DistributedLockAnnotationAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static DistributedLockAdvisor distributedLockAdvisor(ObjectProvider<LockManager> lockManager,
			Environment environment, ConfigurableListableBeanFactory beanFactory) {
		// Bound here rather than injected: advisors are created while post-processors are still being registered,
		// and the properties bean would then miss post-processing.
		DistributedLockProperties settings = Binder.get(environment)
			.bindOrCreate("distributed-lock", DistributedLockProperties.class);
		DistributedLockAdvisor advisor = new DistributedLockAdvisor(lockManager::getObject, new AnnotationDefaults(
				settings.defaultTtl(), settings.defaultWaitTime(), settings.maxTtl(), settings.maxWaitTime()),
				beanFactory);
		advisor.setOrder(settings.order());
		return advisor;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static LeaseCommitGuardRegistrar leaseCommitGuardRegistrar() {
		return new LeaseCommitGuardRegistrar();
	}

	/**
	 * Adds the {@link LeaseCommitGuard} to every transaction manager, so a lease lost inside a locked method rolls
	 * back a transaction begun inside it.
	 */
	static final class LeaseCommitGuardRegistrar implements BeanPostProcessor, AopInfrastructureBean {

		private final LeaseCommitGuard guard = new LeaseCommitGuard();

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
			if (bean instanceof ConfigurableTransactionManager transactionManager) {
				transactionManager.addListener(this.guard);
			}
			return bean;
		}

	}

	/**
	 * Registers Spring's infrastructure auto-proxy creator (kept if the application has a more capable one), with
	 * class-based proxies unless {@code spring.aop.proxy-target-class=false}, as Spring Boot does.
	 */
	static final class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}

	}

}
