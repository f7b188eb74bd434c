package dev.lockmanager.lock.web;

import java.util.Optional;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.OnFailure;

/**
 * An application serving the lock API with an API key and without Spring Security (its auto-configuration is
 * excluded, as in an application that does not depend on it), plus annotated methods that share locks with the API.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
		"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
@Import(ApiKeyApplication.Jobs.class)
class ApiKeyApplication {

	static final String API_KEY = "test-api-key-4f9c2e7a1b";

	static final String BEARER = "Bearer " + API_KEY;

	/**
	 * Annotated methods that skip when their lock is held, so a test can ask whether the API holds it.
	 */
	static class Jobs {

		@DistributedLock(name = "nightly-report", waitTime = "0", onFailure = OnFailure.SKIP)
		public Optional<String> nightlyReport() {
			return Optional.of("ran");
		}

		@DistributedLock(name = "inventory", key = "#item", waitTime = "0", onFailure = OnFailure.SKIP)
		public Optional<String> reserve(String item) {
			return Optional.of("ran");
		}

	}

}
