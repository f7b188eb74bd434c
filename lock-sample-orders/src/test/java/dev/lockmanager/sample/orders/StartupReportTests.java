package dev.lockmanager.sample.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;

/**
 * The startup report warns about the development API key only if it knows it: the key it compares with is the
 * fallback that application.yml gives.
 */
class StartupReportTests {

	@Test
	void developmentApiKeyIsTheFallbackOfApplicationYml() throws IOException {
		assertThat(new ClassPathResource("application.yml").getContentAsString(StandardCharsets.UTF_8))
			.contains("api-key: ${LOCK_API_KEY:" + StartupReport.DEVELOPMENT_API_KEY + "}");
	}

}
