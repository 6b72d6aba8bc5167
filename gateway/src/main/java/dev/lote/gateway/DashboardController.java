package dev.lote.gateway;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The web dashboard at {@code /dashboard/}: static files (classpath {@code static/dashboard/})
 * that hold no data. The page asks for the account's name and key, keeps them in the browser tab's
 * session storage, and signs every call to the Batch API, the event stream and the node metrics
 * with SharedKey in the browser, so it sees exactly what the account's key gives any client and
 * the gateway needs no session of its own.
 */
@Configuration(proxyBeanMethods = false)
class DashboardController implements WebMvcConfigurer {

  static final String PREFIX = "/dashboard";

  /**
   * Only the page's own files and the browser's requests: scripts from the gateway alone, no
   * frames, no plug-ins, and connections only back to the gateway.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
          + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

  static boolean serves(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController(PREFIX, PREFIX + "/");
    registry.addViewController(PREFIX + "/").setViewName("forward:" + PREFIX + "/index.html");
  }

  @Bean
  FilterRegistrationBean<OncePerRequestFilter> dashboardHeaders() {
    OncePerRequestFilter filter =
        new OncePerRequestFilter() {
          @Override
          protected boolean shouldNotFilter(HttpServletRequest request) {
            return !serves(request.getRequestURI());
          }

          @Override
          protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
              throws ServletException, IOException {
            response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("Referrer-Policy", "no-referrer");
            // the files change with Lote's version: revalidate rather than run an old script
            response.setHeader("Cache-Control", "no-cache");
            chain.doFilter(request, response);
          }
        };
    FilterRegistrationBean<OncePerRequestFilter> bean = new FilterRegistrationBean<>(filter);
    bean.addUrlPatterns(PREFIX, PREFIX + "/*");
    return bean;
  }
}
