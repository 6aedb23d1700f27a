function Test-OfflineSeed {
    <#
    .SYNOPSIS
    Checks the integrity of an OfflineSeed repository.

    .DESCRIPTION
    Runs the engine's repo.check command on a repository in a staging location, on a prepared drive
    or in Azure Blob storage, and returns an OfflineSeed.CheckResult whose Ok property says whether
    the repository is sound; Problems lists what is wrong. By default the structure is checked:
    index, snapshots, trees and pack headers. -ReadData also decrypts and verifies every blob of
    every pack (reads everything); -ReadDataSubset reads only part of the packs.

    -Keyless needs no password: it checks only that each pack file's name is the SHA-256 of its
    content, which catches damaged or truncated packs on shipped drives without the key.

    The result is the same as restic check would report on the same repository.

    .PARAMETER Repository
    The repository: a staging folder, a repository folder, a drive folder, or
    azure://<account>/<container>/<prefix>. Accepts pipeline input by property name (Repository).

    .PARAMETER Password
    Repository password, as a SecureString. Prompted for when neither -Password, -PasswordFile nor
    -Keyless is given in an interactive session.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER ReadData
    Decrypt and verify every blob of every pack.

    .PARAMETER ReadDataSubset
    Read only a subset of the packs: n/t (the n-th of t groups, e.g. 1/5) or a percentage (e.g. 10%).

    .PARAMETER Keyless
    Check without the password: only that each pack's name is the SHA-256 of its content.

    .PARAMETER Environment
    Azure cloud of an azure:// repository: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER StorageAccessToken
    Storage access token, as a SecureString (Get-AzAccessToken -ResourceTypeName Storage).

    .PARAMETER StorageAccountKey
    Storage account key, as a SecureString.

    .PARAMETER SasToken
    Container SAS token, as a SecureString.

    .EXAMPLE
    Test-OfflineSeed -Repository F:\Staging -PasswordFile C:\Secure\repo.txt -ReadData

    Verifies every byte of the staged repository before the drives are prepared.

    .EXAMPLE
    Test-OfflineSeed -Repository E:\ -Keyless

    Checks the pack files on a shipped drive without the repository password.

    .EXAMPLE
    1..5 | ForEach-Object { Test-OfflineSeed -Repository azure://stbackup01/fs01/seed -PasswordFile C:\Secure\repo.txt -ReadDataSubset "$_/5" }

    Reads the imported repository in five parts, for example one part per night.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a Repository property, such as
    OfflineSeed.Seed and OfflineSeed.StageResult objects.

    .OUTPUTS
    OfflineSeed.CheckResult

    .LINK
    about_OfflineSeed

    .LINK
    Start-OfflineSeed
    #>
    [CmdletBinding(DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.CheckResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Repository,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

        [Parameter()]
        [switch] $ReadData,

        [Parameter()]
        [ValidatePattern('^([0-9]+/[0-9]+|[0-9]+(\.[0-9]+)?%)$')]
        [string] $ReadDataSubset,

        [Parameter(ParameterSetName = 'Keyless')]
        [switch] $Keyless,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $StorageAccessToken,

        [Parameter()]
        [System.Security.SecureString] $StorageAccountKey,

        [Parameter()]
        [System.Security.SecureString] $SasToken
    )

    process {
        $params = @{ repository = (Resolve-OfflineSeedPath -Path $Repository -AllowUri) }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } elseif ($PSCmdlet.ParameterSetName -eq 'Password') {
            $params['password'] = $Password
        }
        if ($Keyless) { $params['keyless'] = $true }
        if ($ReadData) { $params['readData'] = $true }
        if ($PSBoundParameters.ContainsKey('ReadDataSubset')) { $params['readDataSubset'] = $ReadDataSubset }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        Invoke-OfflineSeedEngine -Command 'repo.check' -Parameters $params -Cmdlet $PSCmdlet
    }
}
