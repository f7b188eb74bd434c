package dev.lockmanager.lock.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application with Spring Security: a user {@code client} with the role LOCK_CLIENT, a user {@code viewer}
 * without it, and an endpoint of the application's own ({@code /hello}) that Spring Boot's default chain protects.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SecuredApplication {

	static final String CLIENT = basic("client", "client-password");

	static final String VIEWER = basic("viewer", "viewer-password");

	@Bean
	UserDetailsService users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("client").password("{noop}client-password").roles("LOCK_CLIENT").build(),
				User.withUsername("viewer").password("{noop}viewer-password").roles("VIEWER").build());
	}

	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/** Registered as a member class of this configuration. */
	@RestController
	static class Hello {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

}
