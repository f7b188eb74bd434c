package dev.lockmanager.lock.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * An API key in an application that has Spring Security: the key alone admits a client to the API (the API's chain
 * lets its requests through Spring Security), a logged-in user without the key is refused, and the rest of the
 * application still needs a login.
 */
@SpringBootTest(classes = SecuredApplication.class,
		properties = { "distributed-lock.http.enabled=true", "distributed-lock.http.api-key=" + ApiKeyApplication.API_KEY,
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s" })
@AutoConfigureMockMvc
@DirtiesContext
class LockApiKeyWithSpringSecurityTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@Autowired
	MockMvc mvc;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int port = redis.server().port();
		registry.add("spring.data.redis.port", () -> port);
	}

	@Test
	void apiKeyAloneAdmitsTheClient() throws Exception {
		this.mvc.perform(post("/locks/keyed").header(HttpHeaders.AUTHORIZATION, ApiKeyApplication.BEARER)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"5s\"}")).andExpect(status().isCreated());
	}

	@Test
	void userWithTheRoleButWithoutTheApiKeyIsRefused() throws Exception {
		this.mvc.perform(get("/locks/keyed").header(HttpHeaders.AUTHORIZATION, SecuredApplication.CLIENT))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lock-api\""));
	}

	@Test
	void requestWithoutApiKeyIsRefusedWithBearerChallenge() throws Exception {
		this.mvc.perform(get("/locks/keyed"))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lock-api\""));
	}

	@Test
	void restOfTheApplicationStillNeedsALogin() throws Exception {
		this.mvc.perform(get("/hello").header(HttpHeaders.AUTHORIZATION, ApiKeyApplication.BEARER))
			.andExpect(status().isUnauthorized());
		this.mvc.perform(get("/hello").header(HttpHeaders.AUTHORIZATION, SecuredApplication.VIEWER))
			.andExpect(status().isOk());
	}

}
