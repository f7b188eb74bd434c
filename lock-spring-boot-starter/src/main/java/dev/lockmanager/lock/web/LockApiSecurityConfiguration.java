package dev.lockmanager.lock.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The lock API's own Spring Security filter chain, for its paths only: HTTP Basic and the role {@value #ROLE} when no
 * API key is configured; with an API key, it lets requests through to the API, which checks the key itself. Either
 * way it is stateless, without CSRF tokens (every request that changes a lock needs a JSON body or the
 * {@code Lock-Token} header, which a cross-site form cannot send) and answers 401 and 403 as problem details. Runs
 * after Spring Boot's web security auto-configuration, so Boot's default chain still protects the rest of the
 * application.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ SecurityFilterChain.class, HttpSecurity.class })
@ConditionalOnBean(HttpSecurity.class)
class LockApiSecurityConfiguration {

	/** The name of the chain's bean: define a bean with this name to replace it. */
	static final String CHAIN = "lockApiSecurityFilterChain";

	/** The role a user needs to use the API when no API key is configured. */
	static final String ROLE = "LOCK_CLIENT";

	static final String CHALLENGE = "Basic realm=\"lock-api\"";

	@Bean(name = CHAIN)
	@Order(LockApiAutoConfiguration.SECURITY_ORDER)
	@ConditionalOnMissingBean(name = CHAIN)
	SecurityFilterChain lockApiSecurityFilterChain(HttpSecurity http, LockApiProperties properties,
			ObjectProvider<PathPatternRequestMatcher.Builder> paths) throws Exception {
		// Boot's builder knows the DispatcherServlet's path (spring.mvc.servlet.path).
		PathPatternRequestMatcher.Builder matchers = paths.getIfAvailable(PathPatternRequestMatcher::withDefaults);
		http.securityMatcher(matchers.matcher(properties.basePath() + "/**"));
		http.csrf(AbstractHttpConfigurer::disable);
		http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		http.requestCache(AbstractHttpConfigurer::disable);
		http.logout(AbstractHttpConfigurer::disable);
		http.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(unauthorized())
			.accessDeniedHandler(forbidden()));
		if (properties.apiKey() != null) {
			http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
		}
		else {
			http.authorizeHttpRequests((requests) -> requests.anyRequest().hasRole(ROLE));
			http.httpBasic((basic) -> basic.authenticationEntryPoint(unauthorized()));
		}
		return http.build();
	}

	private static AuthenticationEntryPoint unauthorized() {
		return (request, response, ex) -> {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
			Problems.write(Problems.of(HttpStatus.UNAUTHORIZED, "Unauthorized", "UNAUTHORIZED",
					"Authentication is required: a user with the role " + ROLE), request, response);
		};
	}

	private static AccessDeniedHandler forbidden() {
		return (request, response, ex) -> Problems.write(Problems.of(HttpStatus.FORBIDDEN, "Forbidden", "FORBIDDEN",
				"The lock API needs the role " + ROLE), request, response);
	}

}
