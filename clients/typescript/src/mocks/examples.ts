// Generated from openapi/openapi.json by `npm run generate:mocks` (scripts/generate-mocks.mjs): do not edit.
// CI fails when this file is not what the script makes of the document. The compiler checks every example
// against the types of src/schema.d.ts (`OperationExamples`).
import type { OperationExamples } from "./types";

/** Every operation by its operationId: method, path, and whether it needs `Authorization`. */
export const operationTable = {
  "changePassword": {
    "method": "put",
    "path": "/users/{id}/password/",
    "authenticated": true
  },
  "checkLiveness": {
    "method": "get",
    "path": "/health/live/",
    "authenticated": false
  },
  "checkReadiness": {
    "method": "get",
    "path": "/health/ready/",
    "authenticated": false
  },
  "confirmPasswordResetCode": {
    "method": "get",
    "path": "/accounts/{account}/password/token/",
    "authenticated": false
  },
  "countEmail": {
    "method": "get",
    "path": "/emails/{email}/count/",
    "authenticated": false
  },
  "countMobile": {
    "method": "get",
    "path": "/mobiles/{mobile}/count/",
    "authenticated": false
  },
  "countUsername": {
    "method": "get",
    "path": "/usernames/{username}/count/",
    "authenticated": false
  },
  "drawCaptcha": {
    "method": "get",
    "path": "/image_codes/{uuid}/",
    "authenticated": false
  },
  "endSession": {
    "method": "delete",
    "path": "/user/sessions/{session_id}/",
    "authenticated": true
  },
  "exportPersonalData": {
    "method": "get",
    "path": "/user/data/",
    "authenticated": true
  },
  "getCurrentUser": {
    "method": "get",
    "path": "/user/",
    "authenticated": true
  },
  "getDevOutbox": {
    "method": "get",
    "path": "/dev/outbox/",
    "authenticated": false
  },
  "getJsonWebKeySet": {
    "method": "get",
    "path": "/.well-known/jwks.json",
    "authenticated": false
  },
  "getMetrics": {
    "method": "get",
    "path": "/metrics",
    "authenticated": false
  },
  "listOAuthBindings": {
    "method": "get",
    "path": "/user/oauth/",
    "authenticated": true
  },
  "listSessions": {
    "method": "get",
    "path": "/user/sessions/",
    "authenticated": true
  },
  "listSignIns": {
    "method": "get",
    "path": "/user/logins/",
    "authenticated": true
  },
  "logIn": {
    "method": "post",
    "path": "/authorizations/",
    "authenticated": false
  },
  "logInWithSms": {
    "method": "post",
    "path": "/authorizations/sms/",
    "authenticated": false
  },
  "logOut": {
    "method": "post",
    "path": "/authorizations/logout/",
    "authenticated": true
  },
  "qqLoginAuthorization": {
    "method": "get",
    "path": "/oauth/qq/authorization/",
    "authenticated": false
  },
  "qqLoginBind": {
    "method": "post",
    "path": "/oauth/qq/user/",
    "authenticated": false
  },
  "qqLoginCallback": {
    "method": "get",
    "path": "/oauth/qq/user/",
    "authenticated": false
  },
  "qqLoginStart": {
    "method": "get",
    "path": "/oauth/qq/start/",
    "authenticated": false
  },
  "refreshSession": {
    "method": "post",
    "path": "/authorizations/refresh/",
    "authenticated": false
  },
  "registerUser": {
    "method": "post",
    "path": "/users/",
    "authenticated": false
  },
  "requestAccountDeletion": {
    "method": "post",
    "path": "/user/deletion/",
    "authenticated": true
  },
  "resetPassword": {
    "method": "post",
    "path": "/users/{id}/password/",
    "authenticated": false
  },
  "revokeAllSessions": {
    "method": "post",
    "path": "/user/sessions/revoke/",
    "authenticated": true
  },
  "sendEmailCode": {
    "method": "get",
    "path": "/email_codes/{email}/",
    "authenticated": false
  },
  "sendPasswordResetSms": {
    "method": "get",
    "path": "/sms_codes/",
    "authenticated": false
  },
  "sendSmsCode": {
    "method": "get",
    "path": "/sms_codes/{mobile}/",
    "authenticated": false
  },
  "setEmail": {
    "method": "put",
    "path": "/email/",
    "authenticated": true
  },
  "startPasswordReset": {
    "method": "get",
    "path": "/accounts/{account}/sms/token/",
    "authenticated": false
  },
  "unbindOAuthProvider": {
    "method": "delete",
    "path": "/user/oauth/{provider}/",
    "authenticated": true
  },
  "updateProfile": {
    "method": "patch",
    "path": "/user/",
    "authenticated": true
  },
  "verifyEmail": {
    "method": "get",
    "path": "/emails/verification/",
    "authenticated": false
  },
  "wechatMiniProgramBindPhone": {
    "method": "post",
    "path": "/oauth/wechat/miniprogram/phone/",
    "authenticated": true
  },
  "wechatMiniProgramLogin": {
    "method": "post",
    "path": "/oauth/wechat/miniprogram/",
    "authenticated": false
  },
  "wechatWebLoginAuthorization": {
    "method": "get",
    "path": "/oauth/wechat/authorization/",
    "authenticated": false
  },
  "wechatWebLoginBind": {
    "method": "post",
    "path": "/oauth/wechat/user/",
    "authenticated": false
  },
  "wechatWebLoginCallback": {
    "method": "get",
    "path": "/oauth/wechat/user/",
    "authenticated": false
  },
  "wechatWebLoginStart": {
    "method": "get",
    "path": "/oauth/wechat/start/",
    "authenticated": false
  }
} as const;

/** The document's example of every answer of every operation, by operationId and status. */
export const examples: OperationExamples = {
  "changePassword": {
    "200": {
      "contentType": "application/json",
      "body": {
        "message": "OK"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "wrong_password",
        "message": "原密码错误",
        "non_field_errors": [
          "原密码错误"
        ],
        "old_password": [
          "原密码错误"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "403": {
      "contentType": "application/json",
      "body": {
        "code": "forbidden",
        "message": "您没有执行该操作的权限。",
        "non_field_errors": [
          "您没有执行该操作的权限。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "checkLiveness": {
    "200": {
      "contentType": "application/json",
      "body": {
        "status": "ok"
      }
    },
    "4XX": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      },
      "status": 400
    }
  },
  "checkReadiness": {
    "200": {
      "contentType": "application/json",
      "body": {
        "checks": {
          "cache": "up",
          "database": "up"
        },
        "status": "ok"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "checks": {
          "cache": "misconfigured",
          "database": "up"
        },
        "problems": {
          "cache": "Redis maxmemory-policy is allkeys-lru: it may evict spent tokens, code attempts and locks; noeviction is required"
        },
        "status": "unavailable"
      }
    },
    "4XX": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      },
      "status": 400
    }
  },
  "confirmPasswordResetCode": {
    "200": {
      "contentType": "application/json",
      "body": {
        "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93IjoicmVzZXRfcGFzc3dvcmQifQ.sig",
        "user_id": 1
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "code_wrong",
        "message": "验证码错误，还可尝试4次",
        "non_field_errors": [
          "验证码错误，还可尝试4次"
        ],
        "sms_code": [
          "验证码错误，还可尝试4次"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "countEmail": {
    "200": {
      "contentType": "application/json",
      "body": {
        "count": 0,
        "email": "alice@example.com"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_email",
        "email": [
          "邮箱格式错误"
        ],
        "message": "邮箱格式错误",
        "non_field_errors": [
          "邮箱格式错误"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "countMobile": {
    "200": {
      "contentType": "application/json",
      "body": {
        "count": 1,
        "mobile": "13800138000"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_mobile",
        "message": "手机号格式错误",
        "mobile": [
          "手机号格式错误"
        ],
        "non_field_errors": [
          "手机号格式错误"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "countUsername": {
    "200": {
      "contentType": "application/json",
      "body": {
        "count": 0,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_username",
        "message": "用户名只能包含字母、数字、下划线和连字符",
        "non_field_errors": [
          "用户名只能包含字母、数字、下划线和连字符"
        ],
        "username": [
          "用户名只能包含字母、数字、下划线和连字符"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "drawCaptcha": {
    "200": {
      "contentType": "image/png",
      "body": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
      "base64": true
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_captcha",
        "image_code_id": [
          "图片验证码编号无效"
        ],
        "message": "图片验证码编号无效",
        "non_field_errors": [
          "图片验证码编号无效"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请42秒后再试",
        "non_field_errors": [
          "操作过于频繁，请42秒后再试"
        ],
        "retry_after": 42
      },
      "headers": {
        "Retry-After": "42"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "endSession": {
    "204": {
      "contentType": null,
      "body": null
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "exportPersonalData": {
    "200": {
      "contentType": "application/json",
      "body": {
        "account": {
          "date_joined": "2026-11-22T08:00:00Z",
          "email": "alice@example.com",
          "has_password": true,
          "id": 1,
          "last_login": "2026-12-06T09:30:00Z",
          "mobile": "13800138000",
          "pending_email": null,
          "username": "alice"
        },
        "audit_events": [
          {
            "at": "2026-12-06T09:30:00Z",
            "device": "Chrome on Windows",
            "event": "login_succeeded",
            "ip": "203.0.113.9",
            "method": "password"
          }
        ],
        "bindings": [
          {
            "app_id": "101474184",
            "bound_at": "2026-11-23T08:00:00Z",
            "openid": "8A1B2C3D4E5F",
            "provider": "qq",
            "unionid": null
          }
        ],
        "exported_at": "2026-12-06T10:00:00Z",
        "profile": {
          "address": null,
          "avatar": null,
          "birthday": null,
          "gender": "unknown",
          "nickname": "小明",
          "signature": null
        },
        "sessions": [
          {
            "created_at": "2026-12-01T08:00:00Z",
            "device": "Chrome on Windows",
            "id": "0f8e2b6c4d3a4e1f9a7b5c3d2e1f0a9b",
            "ip": "203.0.113.9",
            "last_used_at": "2026-12-06T09:30:00Z"
          }
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "getCurrentUser": {
    "200": {
      "contentType": "application/json",
      "body": {
        "address": null,
        "avatar": null,
        "birthday": null,
        "date_joined": "2026-11-22T08:00:00Z",
        "email": null,
        "email_active": false,
        "gender": "unknown",
        "id": 1,
        "last_login": null,
        "mobile": "13800138000",
        "nickname": null,
        "signature": null,
        "username": "alice"
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "getDevOutbox": {
    "200": {
      "contentType": "application/json",
      "body": {
        "captchas": [
          {
            "created_at": "2026-11-22T08:00:00Z",
            "id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            "text": "AB12"
          }
        ],
        "messages": [
          {
            "channel": "sms",
            "code": "123456",
            "created_at": "2026-11-22T08:00:00Z",
            "id": 42,
            "link": null,
            "purpose": "register",
            "status": "queued",
            "to": "13800138000"
          }
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    }
  },
  "getJsonWebKeySet": {
    "200": {
      "contentType": "application/json",
      "body": {
        "keys": [
          {
            "alg": "EdDSA",
            "crv": "Ed25519",
            "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
            "kty": "OKP",
            "use": "sig",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
          }
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    }
  },
  "getMetrics": {
    "200": {
      "contentType": "application/openmetrics-text; version=1.0.0; charset=utf-8",
      "body": "# HELP accounts_http_requests HTTP requests by route template and status\n# TYPE accounts_http_requests counter\naccounts_http_requests_total{method=\"GET\",route=\"/health/live/\",status=\"200\"} 3\n# EOF\n"
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    }
  },
  "listOAuthBindings": {
    "200": {
      "contentType": "application/json",
      "body": [
        {
          "bound_at": "2026-11-22T08:00:00Z",
          "provider": "qq"
        }
      ]
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "listSessions": {
    "200": {
      "contentType": "application/json",
      "body": [
        {
          "created_at": "2026-12-01T08:00:00Z",
          "current": true,
          "device": "Chrome on Windows",
          "id": "0f8e2b6c4d3a4e1f9a7b5c3d2e1f0a9b",
          "ip": "203.0.113.0/24",
          "last_used_at": "2026-12-06T09:30:00Z"
        }
      ]
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "listSignIns": {
    "200": {
      "contentType": "application/json",
      "body": [
        {
          "at": "2026-12-06T09:30:00Z",
          "device": "Safari on iPhone",
          "ip": "198.51.100.0/24",
          "method": "password",
          "outcome": "success"
        }
      ]
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "out_of_range",
        "limit": [
          "须为1到100之间的整数"
        ],
        "message": "须为1到100之间的整数",
        "non_field_errors": [
          "须为1到100之间的整数"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "logIn": {
    "200": {
      "contentType": "application/json",
      "body": {
        "expires_in": 86400,
        "id": 1,
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_credentials",
        "message": "用户名或密码错误",
        "non_field_errors": [
          "用户名或密码错误"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "415": {
      "contentType": "application/json",
      "body": {
        "code": "unsupported_media_type",
        "message": "仅支持 application/json 和 application/x-www-form-urlencoded 请求体",
        "non_field_errors": [
          "仅支持 application/json 和 application/x-www-form-urlencoded 请求体"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请900秒后再试",
        "non_field_errors": [
          "操作过于频繁，请900秒后再试"
        ],
        "retry_after": 900
      },
      "headers": {
        "Retry-After": "900"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "logInWithSms": {
    "200": {
      "contentType": "application/json",
      "body": {
        "created": false,
        "expires_in": 86400,
        "id": 1,
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "code_wrong",
        "message": "验证码错误，还可尝试4次",
        "non_field_errors": [
          "验证码错误，还可尝试4次"
        ],
        "sms_code": [
          "验证码错误，还可尝试4次"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "415": {
      "contentType": "application/json",
      "body": {
        "code": "unsupported_media_type",
        "message": "仅支持 application/json 和 application/x-www-form-urlencoded 请求体",
        "non_field_errors": [
          "仅支持 application/json 和 application/x-www-form-urlencoded 请求体"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请600秒后再试",
        "non_field_errors": [
          "操作过于频繁，请600秒后再试"
        ],
        "retry_after": 600
      },
      "headers": {
        "Retry-After": "600"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "logOut": {
    "204": {
      "contentType": null,
      "body": null
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "qqLoginAuthorization": {
    "200": {
      "contentType": "application/json",
      "body": {
        "login_url": "http://api.meiduo.site:8000/oauth/qq/start/?flow=eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfc3RhcnQifQ.sig",
        "oauth_url": "http://api.meiduo.site:8000/oauth/qq/start/?flow=eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfc3RhcnQifQ.sig"
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    }
  },
  "qqLoginBind": {
    "201": {
      "contentType": "application/json",
      "body": {
        "id": 1,
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "13800138000"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "wrong_password",
        "message": "密码错误",
        "non_field_errors": [
          "密码错误"
        ],
        "password": [
          "密码错误"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "409": {
      "contentType": "application/json",
      "body": {
        "access_token": [
          "该账号已绑定"
        ],
        "code": "already_bound",
        "message": "该账号已绑定",
        "non_field_errors": [
          "该账号已绑定"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "qqLoginCallback": {
    "200": {
      "contentType": "application/json",
      "body": {
        "next": "/",
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_state",
        "message": "登录请求无效或已过期，请重新登录",
        "non_field_errors": [
          "登录请求无效或已过期，请重新登录"
        ],
        "state": [
          "登录请求无效或已过期，请重新登录"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "502": {
      "contentType": "application/json",
      "body": {
        "code": "upstream_failed",
        "message": "QQ服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "QQ服务暂时不可用，请稍后再试"
        ],
        "provider_code": 100010
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "qqLoginStart": {
    "302": {
      "contentType": null,
      "body": null
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_state",
        "message": "登录请求无效或已过期，请重新登录",
        "non_field_errors": [
          "登录请求无效或已过期，请重新登录"
        ],
        "state": [
          "登录请求无效或已过期，请重新登录"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    },
    "default": {
      "contentType": "application/json",
      "body": {
        "code": "method_not_allowed",
        "message": "不支持该请求方法",
        "non_field_errors": [
          "不支持该请求方法"
        ]
      },
      "status": 405
    }
  },
  "refreshSession": {
    "200": {
      "contentType": "application/json",
      "body": {
        "expires_in": 86400,
        "refresh_token": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "required",
        "message": "该字段是必填项。",
        "non_field_errors": [
          "该字段是必填项。"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "token_revoked",
        "detail": "令牌已失效，请重新登录",
        "message": "令牌已失效，请重新登录",
        "non_field_errors": [
          "令牌已失效，请重新登录"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "registerUser": {
    "201": {
      "contentType": "application/json",
      "body": {
        "email": null,
        "id": 1,
        "mobile": "13800138000",
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "already_taken",
        "message": "用户名已存在",
        "non_field_errors": [
          "用户名已存在"
        ],
        "username": [
          "用户名已存在"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "415": {
      "contentType": "application/json",
      "body": {
        "code": "unsupported_media_type",
        "message": "仅支持 application/json 和 application/x-www-form-urlencoded 请求体",
        "non_field_errors": [
          "仅支持 application/json 和 application/x-www-form-urlencoded 请求体"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "requestAccountDeletion": {
    "202": {
      "contentType": "application/json",
      "body": {
        "delete_after": "2026-12-21T18:00:00Z"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "wrong_password",
        "message": "密码错误",
        "non_field_errors": [
          "密码错误"
        ],
        "password": [
          "密码错误"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "token_revoked",
        "detail": "令牌已失效，请重新登录",
        "message": "令牌已失效，请重新登录",
        "non_field_errors": [
          "令牌已失效，请重新登录"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "415": {
      "contentType": "application/json",
      "body": {
        "code": "unsupported_media_type",
        "message": "仅支持 application/json 和 application/x-www-form-urlencoded 请求体",
        "non_field_errors": [
          "仅支持 application/json 和 application/x-www-form-urlencoded 请求体"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请900秒后再试",
        "non_field_errors": [
          "操作过于频繁，请900秒后再试"
        ],
        "retry_after": 900
      },
      "headers": {
        "Retry-After": "900"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "resetPassword": {
    "200": {
      "contentType": "application/json",
      "body": {
        "id": 1
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "password_mismatch",
        "message": "两次密码不一致",
        "non_field_errors": [
          "两次密码不一致"
        ],
        "password2": [
          "两次密码不一致"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "revokeAllSessions": {
    "204": {
      "contentType": null,
      "body": null
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "sendEmailCode": {
    "200": {
      "contentType": "application/json",
      "body": {
        "message": "OK"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_choice",
        "message": "send_type 只能是 register 或 resetpwd",
        "non_field_errors": [
          "send_type 只能是 register 或 resetpwd"
        ],
        "send_type": [
          "send_type 只能是 register 或 resetpwd"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "sendPasswordResetSms": {
    "200": {
      "contentType": "application/json",
      "body": {
        "message": "OK"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "access_token": [
          "无效的access_token，请重新开始"
        ],
        "code": "invalid_access_token",
        "message": "无效的access_token，请重新开始",
        "non_field_errors": [
          "无效的access_token，请重新开始"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "sendSmsCode": {
    "200": {
      "contentType": "application/json",
      "body": {
        "message": "OK"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "captcha_wrong",
        "message": "图片验证码错误或已过期",
        "non_field_errors": [
          "图片验证码错误或已过期"
        ],
        "text": [
          "图片验证码错误或已过期"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "setEmail": {
    "200": {
      "contentType": "application/json",
      "body": {
        "email": "alice@example.com",
        "id": 1
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "already_taken",
        "email": [
          "邮箱已被注册"
        ],
        "message": "邮箱已被注册",
        "non_field_errors": [
          "邮箱已被注册"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "startPasswordReset": {
    "200": {
      "contentType": "application/json",
      "body": {
        "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93IjoicmVzZXRfcGFzc3dvcmRfc21zIn0.sig",
        "mobile": "138****8000"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "captcha_wrong",
        "message": "图片验证码错误或已过期",
        "non_field_errors": [
          "图片验证码错误或已过期"
        ],
        "text": [
          "图片验证码错误或已过期"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "unbindOAuthProvider": {
    "204": {
      "contentType": null,
      "body": null
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "409": {
      "contentType": "application/json",
      "body": {
        "code": "last_login_method",
        "message": "这是账号唯一的登录方式，请先设置密码或绑定其他账号",
        "non_field_errors": [
          "这是账号唯一的登录方式，请先设置密码或绑定其他账号"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "updateProfile": {
    "200": {
      "contentType": "application/json",
      "body": {
        "address": null,
        "avatar": null,
        "birthday": null,
        "date_joined": "2026-11-22T08:00:00Z",
        "email": null,
        "email_active": false,
        "gender": "unknown",
        "id": 1,
        "last_login": null,
        "mobile": "13800138000",
        "nickname": null,
        "signature": null,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "avatar": [
          "头像必须是 http(s) 链接"
        ],
        "code": "invalid_profile",
        "message": "头像必须是 http(s) 链接",
        "non_field_errors": [
          "头像必须是 http(s) 链接"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "413": {
      "contentType": "application/json",
      "body": {
        "code": "payload_too_large",
        "message": "请求体过大",
        "non_field_errors": [
          "请求体过大"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "verifyEmail": {
    "200": {
      "contentType": "application/json",
      "body": {
        "message": "OK"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_link",
        "message": "无效的激活链接",
        "non_field_errors": [
          "无效的激活链接"
        ],
        "token": [
          "无效的激活链接"
        ]
      }
    },
    "409": {
      "contentType": "application/json",
      "body": {
        "code": "already_taken",
        "email": [
          "邮箱已被注册"
        ],
        "message": "邮箱已被注册",
        "non_field_errors": [
          "邮箱已被注册"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "wechatMiniProgramBindPhone": {
    "200": {
      "contentType": "application/json",
      "body": {
        "address": null,
        "avatar": null,
        "birthday": null,
        "date_joined": "2026-11-22T08:00:00Z",
        "email": null,
        "email_active": false,
        "gender": "unknown",
        "id": 1,
        "last_login": null,
        "mobile": "13800138000",
        "nickname": null,
        "signature": null,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_oauth_code",
        "message": "授权码无效或已使用，请重新登录",
        "non_field_errors": [
          "授权码无效或已使用，请重新登录"
        ]
      }
    },
    "401": {
      "contentType": "application/json",
      "body": {
        "code": "not_authenticated",
        "detail": "身份认证信息未提供。",
        "message": "身份认证信息未提供。",
        "non_field_errors": [
          "身份认证信息未提供。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "409": {
      "contentType": "application/json",
      "body": {
        "code": "already_taken",
        "message": "手机号已被注册",
        "mobile": [
          "手机号已被注册"
        ],
        "non_field_errors": [
          "手机号已被注册"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      }
    },
    "502": {
      "contentType": "application/json",
      "body": {
        "code": "upstream_failed",
        "message": "微信服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "微信服务暂时不可用，请稍后再试"
        ],
        "provider_code": 40001
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "wechatMiniProgramLogin": {
    "200": {
      "contentType": "application/json",
      "body": {
        "created": true,
        "nickname": "小明",
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "wx_a1b2c3d4e5"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_oauth_code",
        "message": "授权码无效或已使用，请重新登录",
        "non_field_errors": [
          "授权码无效或已使用，请重新登录"
        ]
      }
    },
    "403": {
      "contentType": "application/json",
      "body": {
        "code": "forbidden",
        "message": "您没有执行该操作的权限。",
        "non_field_errors": [
          "您没有执行该操作的权限。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "502": {
      "contentType": "application/json",
      "body": {
        "code": "upstream_failed",
        "message": "微信服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "微信服务暂时不可用，请稍后再试"
        ],
        "provider_code": 40001
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "wechatWebLoginAuthorization": {
    "200": {
      "contentType": "application/json",
      "body": {
        "login_url": "https://open.weixin.qq.com/connect/qrconnect?appid=wxf1e2d3c4b5a69788&redirect_uri=https%3A%2F%2Fwww.meiduo.site%2Fwechat_callback.html&response_type=code&scope=snsapi_login&state=eyJhbGciOiJIUzI1NiJ9.e30.sig#wechat_redirect",
        "oauth_url": "https://open.weixin.qq.com/connect/qrconnect?appid=wxf1e2d3c4b5a69788&redirect_uri=https%3A%2F%2Fwww.meiduo.site%2Fwechat_callback.html&response_type=code&scope=snsapi_login&state=eyJhbGciOiJIUzI1NiJ9.e30.sig#wechat_redirect"
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    }
  },
  "wechatWebLoginBind": {
    "201": {
      "contentType": "application/json",
      "body": {
        "id": 1,
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "13800138000"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "access_token": [
          "无效的access_token，请重新开始"
        ],
        "code": "invalid_access_token",
        "message": "无效的access_token，请重新开始",
        "non_field_errors": [
          "无效的access_token，请重新开始"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "409": {
      "contentType": "application/json",
      "body": {
        "access_token": [
          "该账号已绑定"
        ],
        "code": "already_bound",
        "message": "该账号已绑定",
        "non_field_errors": [
          "该账号已绑定"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "wechatWebLoginCallback": {
    "200": {
      "contentType": "application/json",
      "body": {
        "next": "/",
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "restored": false,
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1,
        "username": "alice"
      }
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_oauth_code",
        "message": "授权码无效或已使用，请重新登录",
        "non_field_errors": [
          "授权码无效或已使用，请重新登录"
        ]
      }
    },
    "403": {
      "contentType": "application/json",
      "body": {
        "code": "forbidden",
        "message": "您没有执行该操作的权限。",
        "non_field_errors": [
          "您没有执行该操作的权限。"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "429": {
      "contentType": "application/json",
      "body": {
        "code": "rate_limited",
        "message": "操作过于频繁，请60秒后再试",
        "non_field_errors": [
          "操作过于频繁，请60秒后再试"
        ],
        "retry_after": 60
      },
      "headers": {
        "Retry-After": "60"
      }
    },
    "502": {
      "contentType": "application/json",
      "body": {
        "code": "upstream_failed",
        "message": "微信服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "微信服务暂时不可用，请稍后再试"
        ],
        "provider_code": 40013
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    }
  },
  "wechatWebLoginStart": {
    "302": {
      "contentType": null,
      "body": null
    },
    "400": {
      "contentType": "application/json",
      "body": {
        "code": "invalid_state",
        "message": "登录请求无效或已过期，请重新登录",
        "non_field_errors": [
          "登录请求无效或已过期，请重新登录"
        ],
        "state": [
          "登录请求无效或已过期，请重新登录"
        ]
      }
    },
    "404": {
      "contentType": "application/json",
      "body": {
        "code": "not_found",
        "message": "未找到。",
        "non_field_errors": [
          "未找到。"
        ]
      }
    },
    "503": {
      "contentType": "application/json",
      "body": {
        "code": "service_unavailable",
        "message": "服务暂时不可用，请稍后再试",
        "non_field_errors": [
          "服务暂时不可用，请稍后再试"
        ]
      }
    },
    "default": {
      "contentType": "application/json",
      "body": {
        "code": "method_not_allowed",
        "message": "不支持该请求方法",
        "non_field_errors": [
          "不支持该请求方法"
        ]
      },
      "status": 405
    }
  }
};

/** The error code of each error example, with the status that answers it, by operationId. */
export const errorCodes = {
  "changePassword": {
    "wrong_password": "400",
    "not_authenticated": "401",
    "forbidden": "403",
    "not_found": "404",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "checkLiveness": {
    "not_found": "4XX"
  },
  "checkReadiness": {
    "not_found": "4XX"
  },
  "confirmPasswordResetCode": {
    "code_wrong": "400",
    "service_unavailable": "503"
  },
  "countEmail": {
    "invalid_email": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "countMobile": {
    "invalid_mobile": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "countUsername": {
    "invalid_username": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "drawCaptcha": {
    "invalid_captcha": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "endSession": {
    "not_authenticated": "401",
    "not_found": "404",
    "service_unavailable": "503"
  },
  "exportPersonalData": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "getCurrentUser": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "getDevOutbox": {
    "not_found": "404"
  },
  "getJsonWebKeySet": {
    "not_found": "404"
  },
  "getMetrics": {
    "not_found": "404"
  },
  "listOAuthBindings": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "listSessions": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "listSignIns": {
    "out_of_range": "400",
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "logIn": {
    "invalid_credentials": "400",
    "payload_too_large": "413",
    "unsupported_media_type": "415",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "logInWithSms": {
    "code_wrong": "400",
    "payload_too_large": "413",
    "unsupported_media_type": "415",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "logOut": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "qqLoginAuthorization": {
    "not_found": "404"
  },
  "qqLoginBind": {
    "wrong_password": "400",
    "not_found": "404",
    "already_bound": "409",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "qqLoginCallback": {
    "invalid_state": "400",
    "not_found": "404",
    "upstream_failed": "502",
    "service_unavailable": "503"
  },
  "qqLoginStart": {
    "invalid_state": "400",
    "not_found": "404",
    "service_unavailable": "503",
    "method_not_allowed": "default"
  },
  "refreshSession": {
    "required": "400",
    "token_revoked": "401",
    "service_unavailable": "503"
  },
  "registerUser": {
    "already_taken": "400",
    "payload_too_large": "413",
    "unsupported_media_type": "415",
    "service_unavailable": "503"
  },
  "requestAccountDeletion": {
    "wrong_password": "400",
    "token_revoked": "401",
    "payload_too_large": "413",
    "unsupported_media_type": "415",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "resetPassword": {
    "password_mismatch": "400",
    "not_found": "404",
    "payload_too_large": "413",
    "service_unavailable": "503"
  },
  "revokeAllSessions": {
    "not_authenticated": "401",
    "service_unavailable": "503"
  },
  "sendEmailCode": {
    "invalid_choice": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "sendPasswordResetSms": {
    "invalid_access_token": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "sendSmsCode": {
    "captcha_wrong": "400",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "setEmail": {
    "already_taken": "400",
    "not_authenticated": "401",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "startPasswordReset": {
    "captcha_wrong": "400",
    "not_found": "404",
    "service_unavailable": "503"
  },
  "unbindOAuthProvider": {
    "not_authenticated": "401",
    "not_found": "404",
    "last_login_method": "409",
    "service_unavailable": "503"
  },
  "updateProfile": {
    "invalid_profile": "400",
    "not_authenticated": "401",
    "payload_too_large": "413",
    "service_unavailable": "503"
  },
  "verifyEmail": {
    "invalid_link": "400",
    "already_taken": "409",
    "service_unavailable": "503"
  },
  "wechatMiniProgramBindPhone": {
    "invalid_oauth_code": "400",
    "not_authenticated": "401",
    "not_found": "404",
    "already_taken": "409",
    "rate_limited": "429",
    "upstream_failed": "502",
    "service_unavailable": "503"
  },
  "wechatMiniProgramLogin": {
    "invalid_oauth_code": "400",
    "forbidden": "403",
    "not_found": "404",
    "rate_limited": "429",
    "upstream_failed": "502",
    "service_unavailable": "503"
  },
  "wechatWebLoginAuthorization": {
    "not_found": "404"
  },
  "wechatWebLoginBind": {
    "invalid_access_token": "400",
    "not_found": "404",
    "already_bound": "409",
    "rate_limited": "429",
    "service_unavailable": "503"
  },
  "wechatWebLoginCallback": {
    "invalid_oauth_code": "400",
    "forbidden": "403",
    "not_found": "404",
    "rate_limited": "429",
    "upstream_failed": "502",
    "service_unavailable": "503"
  },
  "wechatWebLoginStart": {
    "invalid_state": "400",
    "not_found": "404",
    "service_unavailable": "503",
    "method_not_allowed": "default"
  }
} as const;
