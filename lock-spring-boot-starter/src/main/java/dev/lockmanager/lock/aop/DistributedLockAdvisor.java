package dev.lockmanager.lock.aop;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.util.StringValueResolver;
import org.springframework.util.function.SingletonSupplier;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LockManager;

/**
 * The advisor that applies {@link DistributedLock}: picked up by Spring's auto-proxy creator like the transaction
 * advisor, so its {@linkplain #setOrder(int) order} places the lock relative to {@code @Transactional},
 * {@code @Cacheable} and other advice (lower runs outside). Every annotated method of a bean is validated when the
 * bean's proxy is created; an invalid annotation fails the bean with a message naming the class, method and
 * attribute. Public only for the auto-configuration.
 */
public final class DistributedLockAdvisor extends AbstractPointcutAdvisor {

	private final LockPointcut pointcut;

	private final DistributedLockInterceptor interceptor;

	/**
	 * @param lockManager where leases come from, resolved at the first call
	 * @param defaults ttl and wait time for annotations without them, and their limits
	 * @param beanFactory resolves {@code ${...}} placeholders in durations
	 */
	public DistributedLockAdvisor(Supplier<LockManager> lockManager, AnnotationDefaults defaults,
			ConfigurableBeanFactory beanFactory) {
		StringValueResolver placeholders = new EmbeddedValueResolver(beanFactory);
		LockKeyExpressions expressions = new LockKeyExpressions();
		LockOperationSource operations = new LockOperationSource(expressions, defaults, placeholders);
		this.pointcut = new LockPointcut(operations);
		this.interceptor = new DistributedLockInterceptor(operations, expressions, SingletonSupplier.of(lockManager));
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

	private static final class LockPointcut extends StaticMethodMatcherPointcut {

		private final LockOperationSource operations;

		private LockPointcut(LockOperationSource operations) {
			this.operations = operations;
			setClassFilter(operations::hasLockedMethods);
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return this.operations.operation(method, targetClass) != null;
		}

	}

}
