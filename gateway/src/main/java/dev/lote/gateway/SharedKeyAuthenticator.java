package dev.lote.gateway;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.stereotype.Component;

import dev.lote.common.auth.SharedKey;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

/** Verifies Azure Batch SharedKey signatures over the request exactly as it was received. */
@Component
class SharedKeyAuthenticator {

  /** Two keys no account has, checked for an unknown account so that it costs what a wrong key costs. */
  private static final List<String> NO_SUCH_ACCOUNT = List.of(randomKey(), randomKey());

  private final AccountKeys keys;
  private final Clock clock;
  private final Duration maxSkew;

  SharedKeyAuthenticator(AccountKeys keys, Clock clock, GatewayProperties props) {
    this.keys = keys;
    this.clock = clock;
    this.maxSkew = props.maxClockSkew();
  }

  /** Returns the authenticated account name, lower case; throws a Batch error otherwise. */
  String authenticate(HttpServletRequest request) {
    String auth = request.getHeader("Authorization");
    if (auth == null || auth.isBlank()) {
      throw BatchErrors.authenticationFailed("The Authorization header is missing.");
    }
    if (!auth.startsWith("SharedKey ")) {
      throw BatchErrors.invalidAuthenticationInfo("The Authorization header must be 'SharedKey <account>:<signature>'.");
    }
    String credential = auth.substring("SharedKey ".length()).trim();
    int colon = credential.lastIndexOf(':');
    if (colon <= 0 || colon == credential.length() - 1) {
      throw BatchErrors.invalidAuthenticationInfo("The Authorization header must be 'SharedKey <account>:<signature>'.");
    }
    String account = credential.substring(0, colon);
    String signature = credential.substring(colon + 1);
    checkDate(request);
    List<String> accountKeys = keys.keys(account);
    SharedKey.Request raw =
        new SharedKey.Request(
            request.getMethod(), request.getRequestURI(), request.getQueryString(), request::getHeader, Collections.list(request.getHeaderNames()));
    // an account that does not exist is answered as a wrong signature, after the same work, so
    // a caller cannot tell which account names exist
    boolean valid = SharedKey.verify(raw, account, accountKeys.isEmpty() ? NO_SUCH_ACCOUNT : accountKeys, signature);
    if (!valid || accountKeys.isEmpty()) {
      throw BatchErrors.authenticationFailed(
          "The MAC signature found in the HTTP request is not the same as any computed signature.");
    }
    return account.toLowerCase(Locale.ROOT);
  }

  private static String randomKey() {
    byte[] key = new byte[64];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private void checkDate(HttpServletRequest request) {
    String date = request.getHeader("ocp-date");
    String header = "ocp-date";
    if (date == null) {
      date = request.getHeader("Date");
      header = "Date";
    }
    if (date == null) {
      throw BatchErrors.authenticationFailed("The request has neither an ocp-date nor a Date header; the signature covers one of them.");
    }
    Instant when;
    try {
      when = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new BatchException(
          400,
          "InvalidHeaderValue",
          "The value for one of the HTTP headers is not in the correct format.",
          List.of(new BatchErrorDetail("HeaderName", header), new BatchErrorDetail("HeaderValue", date)));
    }
    if (Duration.between(when, clock.instant()).abs().compareTo(maxSkew) > 0) {
      throw BatchErrors.authenticationFailed("Request date header too far from the server's time: " + date);
    }
  }
}
