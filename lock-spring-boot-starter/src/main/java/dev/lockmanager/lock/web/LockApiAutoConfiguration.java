package dev.lockmanager.lock.web;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Serves the HTTP lock API when {@code distributed-lock.http.enabled=true} in a Spring MVC (servlet) application
 * with the auto-configured {@link RedisLockManager}: clients in any language acquire, renew, release and inspect the
 * same locks as {@code @DistributedLock} methods, under {@code distributed-lock.http.base-path} ({@code /locks}).
 * <p>
 * The API always requires authentication. With {@code distributed-lock.http.api-key} set, clients send
 * {@code Authorization: Bearer <key>}; otherwise Spring Security must be present, and a filter chain for the API's
 * paths ({@value LockApiSecurityConfiguration#CHAIN}, ordered at {@link #SECURITY_ORDER}) requires HTTP Basic and the
 * role {@code LOCK_CLIENT}. With neither, the application fails to start and says how to fix it.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class,
		afterName = { "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration",
				"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
				"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty("distributed-lock.http.enabled")
@ConditionalOnBean(RedisLockManager.class)
@EnableConfigurationProperties(LockApiProperties.class)
@Import(LockApiSecurityConfiguration.class)
public final class LockApiAutoConfiguration {

	/**
	 * Order of the API's {@code SecurityFilterChain}: ahead of the application's chains, so that it applies to the
	 * API's paths (it matches nothing else).
	 */
	public static final int SECURITY_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	@Bean
	@ConditionalOnMissingBean
	LockApiController lockApiController(RedisLockManager lockManager, LockApiProperties properties,
			ObjectProvider<ContentNegotiationManager> contentNegotiation) {
		return new LockApiController(lockManager.clientLeases(), Clock.systemUTC(), properties.basePath(),
				contentNegotiation.getIfUnique(ContentNegotiationManager::new));
	}

	@Bean
	@ConditionalOnMissingBean
	LockApiGuard lockApiGuard(LockApiProperties properties, ConfigurableListableBeanFactory beanFactory) {
		if (properties.apiKey() != null) {
			return new ApiKeyGuard(properties.apiKey());
		}
		if (!ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain",
				beanFactory.getBeanClassLoader())) {
			throw new LockApiAuthenticationMissingException(
					"neither distributed-lock.http.api-key nor Spring Security is configured");
		}
		if (!beanFactory.containsBean(LockApiSecurityConfiguration.CHAIN)) {
			throw new LockApiAuthenticationMissingException("distributed-lock.http.api-key is not set and Spring "
					+ "Security is on the classpath without web security (no HttpSecurity to build the API's filter "
					+ "chain '" + LockApiSecurityConfiguration.CHAIN + "')");
		}
		return new AuthenticatedPrincipalGuard();
	}

	@Bean
	@ConditionalOnMissingBean(name = "lockApiWebMvcConfigurer")
	WebMvcConfigurer lockApiWebMvcConfigurer(LockApiGuard guard) {
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(guard);
			}

		};
	}

}
