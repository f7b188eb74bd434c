package dev.lockmanager.lock.benchmark;

import java.time.Duration;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.aop.AnnotationDefaults;
import dev.lockmanager.lock.aop.DistributedLockAdvisor;

/**
 * The bean of the annotated-method scenario: one {@code @DistributedLock} method that does nothing, so that calling
 * it through its proxy costs what the annotation adds to {@code LockManager.acquire(LockRequest)} + release. Not
 * final: the proxy is a subclass.
 */
class LockedTarget {

	/** The lock name of the method, and of the direct calls it is compared with. */
	static final String NAME = "bench";

	@DistributedLock(name = NAME, key = "#key", ttl = "30s", waitTime = "0")
	public Object locked(String key) {
		return key;
	}

	/** The request the annotation makes for {@code key}: the same call shape for the direct baseline. */
	static LockRequest request(String key) {
		return LockRequest.of(NAME, key, Scenarios.TTL);
	}

	/**
	 * A proxy made as Spring's auto-proxy creator makes one for a bean: class-based, with the starter's real advisor
	 * (built as its auto-configuration builds it, with the default properties), after checking that the advisor
	 * applies, which also validates the annotation as at startup.
	 */
	static LockedTarget proxy(LockManager manager) {
		DistributedLockAdvisor advisor = new DistributedLockAdvisor(() -> manager,
				new AnnotationDefaults(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofHours(1),
						Duration.ofMinutes(5)),
				new DefaultListableBeanFactory());
		if (!AopUtils.canApply(advisor, LockedTarget.class)) {
			throw new IllegalStateException("DistributedLockAdvisor does not apply to " + LockedTarget.class);
		}
		ProxyFactory factory = new ProxyFactory(new LockedTarget());
		factory.setProxyTargetClass(true);
		factory.addAdvisor(advisor);
		// As the auto-proxy creator: advisors are matched against the class before proxying, not again per call.
		factory.setPreFiltered(true);
		LockedTarget proxy = (LockedTarget) factory.getProxy(LockedTarget.class.getClassLoader());
		if (!AopUtils.isCglibProxy(proxy)) {
			throw new IllegalStateException("Expected a class-based proxy but got " + proxy.getClass());
		}
		return proxy;
	}

}
