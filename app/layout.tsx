import type { Metadata } from "next";
import localFont from "next/font/local";
import "./globals.css";

// Google Fonts cannot be reached from build machines: the font ships with the app (@fontsource-variable/inter).
const inter = localFont({ src: "./fonts/inter-latin-wght.woff2", variable: "--font-inter", display: "swap" });

// Every page depends on the signed-in viewer or a one-time link: nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Defender Partner Portal", template: "%s · Defender Partner Portal" },
  description: "Onboard customer tenants by admin consent and triage their Microsoft Defender incidents.",
  referrer: "no-referrer",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
