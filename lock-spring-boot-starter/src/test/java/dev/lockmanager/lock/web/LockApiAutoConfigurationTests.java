package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.lockmanager.lock.autoconfigure.DistributedLockAutoConfiguration;

/**
 * The conditions of {@link LockApiAutoConfiguration} and the binding of {@link LockApiProperties}. No Redis server is
 * needed: Lettuce connects lazily, and no request here reaches Redis.
 */
class LockApiAutoConfigurationTests {

	private static final String API_KEY = "distributed-lock.http.api-key=0123456789abcdef";

	private static final AutoConfigurations SPRING_SECURITY = AutoConfigurations.of(SecurityAutoConfiguration.class,
			UserDetailsServiceAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class);

	/** The API's auto-configuration and what it needs, without Spring MVC. */
	private static final AutoConfigurations WITHOUT_WEB = AutoConfigurations.of(DataRedisAutoConfiguration.class,
			DistributedLockAutoConfiguration.class, LockApiAutoConfiguration.class);

	private static final FilteredClassLoader WITHOUT_SPRING_SECURITY = new FilteredClassLoader(
			"org.springframework.security");

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
				JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
				DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class, LockApiAutoConfiguration.class));

	@Test
	void apiIsOffByDefault() {
		this.contextRunner.withPropertyValues(API_KEY).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LockApiController.class);
			assertThat(context).doesNotHaveBean(LockApiProperties.class);
		});
	}

	@Test
	void apiIsServedUnderTheBasePathWhenEnabled() {
		this.contextRunner.withPropertyValues("distributed-lock.http.enabled=true", API_KEY).run((context) -> {
			assertThat(context).hasSingleBean(LockApiController.class);
			assertThat(context).getBean(LockApiGuard.class).isInstanceOf(ApiKeyGuard.class);
			assertThat(patterns(context)).contains("/locks/{name}", "/locks/{name}/{key}");
		});
	}

	@Test
	void basePathMovesTheApi() {
		this.contextRunner
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY,
					"distributed-lock.http.base-path=/api/v1/locks")
			.run((context) -> assertThat(patterns(context)).contains("/api/v1/locks/{name}", "/api/v1/locks/{name}/{key}")
				.noneMatch((pattern) -> pattern.startsWith("/locks")));
	}

	@Test
	void backsOffInAnApplicationThatIsNotAWebApplication() {
		new ApplicationContextRunner().withConfiguration(WITHOUT_WEB)
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run(LockApiAutoConfigurationTests::hasNoApi);
	}

	@Test
	void backsOffInAReactiveWebApplication() {
		new ReactiveWebApplicationContextRunner().withConfiguration(WITHOUT_WEB)
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run(LockApiAutoConfigurationTests::hasNoApi);
	}

	@Test
	void backsOffWithoutSpringMvc() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run(LockApiAutoConfigurationTests::hasNoApi);
	}

	@Test
	void backsOffWithoutTheRedisLockManager() {
		this.contextRunner.withPropertyValues("distributed-lock.enabled=false", "distributed-lock.http.enabled=true")
			.run(LockApiAutoConfigurationTests::hasNoApi);
	}

	@Test
	void apiKeyWorksWithoutSpringSecurityOnTheClasspath() {
		this.contextRunner.withClassLoader(WITHOUT_SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(SecurityFilterChain.class);
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
				mvc.perform(get("/locks/a/b/c")).andExpect(status().isUnauthorized());
				mvc.perform(get("/locks/a/b/c").header(HttpHeaders.AUTHORIZATION, "Bearer 0123456789abcdef"))
					.andExpect(status().isNotFound());
			});
	}

	@Test
	void securityChainIsContributedOnlyWithSpringSecurity() {
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> {
				assertThat(context).hasBean(LockApiSecurityConfiguration.CHAIN);
				assertThat(context).getBean(LockApiGuard.class).isInstanceOf(AuthenticatedPrincipalGuard.class);
			});
		this.contextRunner.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run((context) -> assertThat(context).doesNotHaveBean(LockApiSecurityConfiguration.CHAIN));
	}

	@Test
	void securityChainLetsApiKeyRequestsThroughSpringSecurity() {
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true", API_KEY)
			.run((context) -> {
				assertThat(context).hasBean(LockApiSecurityConfiguration.CHAIN);
				assertThat(context).getBean(LockApiGuard.class).isInstanceOf(ApiKeyGuard.class);
			});
	}

	@Test
	void securityChainMatchesOnlyTheApisPaths() {
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> {
				SecurityFilterChain chain = context.getBean(LockApiSecurityConfiguration.CHAIN, SecurityFilterChain.class);
				assertThat(chain.matches(new MockHttpServletRequest("GET", "/locks"))).isTrue();
				assertThat(chain.matches(new MockHttpServletRequest("POST", "/locks/a/b"))).isTrue();
				assertThat(chain.matches(new MockHttpServletRequest("GET", "/locksmith"))).isFalse();
				assertThat(chain.matches(new MockHttpServletRequest("GET", "/hello"))).isFalse();
			});
	}

	@Test
	void securityChainFollowsTheDispatcherServletPath() {
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true", "spring.mvc.servlet.path=/api")
			.run((context) -> {
				SecurityFilterChain chain = context.getBean(LockApiSecurityConfiguration.CHAIN, SecurityFilterChain.class);
				assertThat(chain.matches(new MockHttpServletRequest("POST", "/api/locks/a"))).isTrue();
				assertThat(chain.matches(new MockHttpServletRequest("POST", "/locks/a"))).isFalse();
			});
	}

	@Test
	void springBootsDefaultChainStillProtectsTheRestOfTheApplication() {
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> assertThat(context.getBeansOfType(SecurityFilterChain.class)).containsOnlyKeys(
					LockApiSecurityConfiguration.CHAIN, "defaultSecurityFilterChain"));
	}

	@Test
	void chainOfTheSameNameReplacesTheApisChain() {
		SecurityFilterChain own = new DefaultSecurityFilterChain(AnyRequestMatcher.INSTANCE);
		this.contextRunner.withConfiguration(SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.withBean(LockApiSecurityConfiguration.CHAIN, SecurityFilterChain.class, () -> own)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBean(LockApiSecurityConfiguration.CHAIN).isSameAs(own);
			});
	}

	@Test
	void refusesToStartWithNeitherApiKeyNorSpringSecurity() {
		this.contextRunner.withClassLoader(WITHOUT_SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(LockApiAuthenticationMissingException.class)
				.hasMessageContaining("neither distributed-lock.http.api-key nor Spring Security is configured")
				.hasMessageContaining("set distributed-lock.http.api-key")
				.hasMessageContaining("the role LOCK_CLIENT"));
	}

	@Test
	void blankApiKeyCountsAsNoApiKey() {
		this.contextRunner.withClassLoader(WITHOUT_SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true", "distributed-lock.http.api-key=  ")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(LockApiAuthenticationMissingException.class));
	}

	@Test
	void refusesToStartWhenSpringSecurityIsPresentWithoutWebSecurityAndNoApiKey() {
		this.contextRunner.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(LockApiAuthenticationMissingException.class)
				.hasMessageContaining("without web security"));
	}

	@Test
	void failureAnalysisNamesBothWaysToAuthenticate() {
		this.contextRunner.withClassLoader(WITHOUT_SPRING_SECURITY)
			.withPropertyValues("distributed-lock.http.enabled=true")
			.run((context) -> {
				FailureAnalysis analysis = new LockApiAuthenticationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("requires authentication");
				assertThat(analysis.getAction()).contains("distributed-lock.http.api-key", "spring-boot-starter-security",
						"spring.security.user.roles=LOCK_CLIENT", "distributed-lock.http.enabled=false");
			});
	}

	@Test
	void failureAnalyzerIsRegistered() {
		// Other analyzers need constructor arguments that only Spring Boot's reporter supplies: skip them.
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
			}))).hasAtLeastOneElementOfType(LockApiAuthenticationFailureAnalyzer.class);
	}

	@Test
	void shortApiKeyIsRejectedWithoutRevealingIt() {
		this.contextRunner.withPropertyValues("distributed-lock.http.enabled=true", "distributed-lock.http.api-key=s3cr3t-k3y")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("distributed-lock.http.api-key must be at least 16 printable ASCII characters")
				.hasMessageContaining("was 10 characters long")
				.hasMessageNotContaining("s3cr3t-k3y"));
	}

	@Test
	void apiKeyWithSpacesIsRejected() {
		this.contextRunner
			.withPropertyValues("distributed-lock.http.enabled=true", "distributed-lock.http.api-key=0123456789 abcdef")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("distributed-lock.http.api-key")
				.hasMessageContaining("contains spaces"));
	}

	@Test
	void invalidBasePathIsRejected() {
		for (String basePath : new String[] { "locks", "/locks/", "/", "/{name}", "/lo cks", "/a//b" }) {
			this.contextRunner
				.withPropertyValues("distributed-lock.http.enabled=true", API_KEY,
						"distributed-lock.http.base-path=" + basePath)
				.run((context) -> assertThat(context).getFailure()
					.as(basePath)
					.rootCause()
					.hasMessageContaining("distributed-lock.http.base-path must be a path such as /locks")
					.hasMessageContaining("but was '" + basePath + "'"));
		}
	}

	@Test
	void propertiesNeverShowTheApiKey() {
		assertThat(new LockApiProperties(true, "/locks", "0123456789abcdef")).hasToString(
				"LockApiProperties[enabled=true, basePath=/locks, apiKey=(set)]");
	}

	private static Set<String> patterns(AssertableWebApplicationContext context) {
		return context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
			.getHandlerMethods()
			.keySet()
			.stream()
			.flatMap((mapping) -> mapping.getPatternValues().stream())
			.collect(Collectors.toSet());
	}

	private static void hasNoApi(ApplicationContextAssertProvider<?> context) {
		assertThat(context).hasNotFailed();
		assertThat(context).doesNotHaveBean(LockApiController.class);
	}

}
