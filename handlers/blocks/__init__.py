"""Pure Block Kit builders."""
